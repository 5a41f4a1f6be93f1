// Command plot draws the cost curves in bench/curves as SVG line plots.
//
// Usage, from this directory:
//
//	go run . ../curves
//
// It reads every *.tsv file in the directory given (bench/curves by default). A curve file
// holds comment lines starting with '#' (the command, the date, the build, the machine), a
// header line, then one line per measured point, tab-separated:
//
//	# bench/curve-shards.sh, 2026-12-05
//	shards	rss (MiB)	fds (count)
//	1	21.5	12
//	100	30.2
//
// The first column is the x value, named with its unit; every other column is a series
// named "<series> (<unit>)". An empty cell means not measured and leaves a gap in nothing:
// the series simply has no point there.
//
// Series that share a unit share a plot, so one file gives one SVG per unit, written
// beside it as <curve>-<unit>.svg (shards-mib.svg, shards-ms.svg). An axis is logarithmic
// when its values are all positive and span more than two decades (1 to 10,000 shards),
// linear otherwise. The title is the file name and unit, followed by the first comment lines.
//
// The command lives in its own module so that the server's module carries no plotting
// dependencies.
package main
