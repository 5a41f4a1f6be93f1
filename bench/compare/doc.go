// Command compare is the arithmetic of bench/compare.sh, which runs `shardlog bench` against
// kinesalite and shardlog on one machine. The script starts the servers and the load
// generator; this program decides the order of the runs and turns their results into the
// table.
//
//	compare order -seed S -runs N KEY...
//	compare table DIR
//
// order prints one line per run, "run<TAB>scenario<TAB>server": every (scenario, server)
// pair once per run, shuffled within each run by a generator seeded with S, so that slow
// drift of a shared machine (another job starting, the page cache filling) falls on both
// servers alike, and the same seed gives the same order again.
//
// table reads DIR/scenarios.tsv ("key<TAB>title", in the order of the table) and
// DIR/runs.tsv (one line per run as the script finished it: its place in the order, run,
// scenario, server, how busy the machine was before it, the load average, the bench's exit
// status, the data directory's size, and the names of the run's JSON and stderr files in
// DIR). It writes DIR/results.tsv, one line of figures per run with its status, and prints
// the Markdown tables.
//
// # Failed runs
//
// A run counts only if its JSON parses, its read-back verified every record, the server was
// sampled in both phases, and the bench exited 0. Any other run is failed: it is left out of
// every median and spread, counted in the "ok runs" column, and listed under the table with
// the reason and the last line of its stderr. A failed run is never dropped silently or
// averaged in.
//
// # Figures
//
// The headline is the server's CPU time per million records written and per million read
// back (user + system from /proc/<pid>/stat, which is also µs per record), median over the
// good runs with [min–max] beside it: unlike records/s it does not depend on how fast the
// client sharing the machine is.
package main
