// Package bench measures a running Kinesis server from outside, over HTTP, the way
// applications use it: a load generator that writes records for a while, then reads every
// shard back and proves that nothing was lost, duplicated, reordered or changed.
// `shardlog bench` is its command line, and bench/compare.sh runs it against shardlog and
// kinesalite side by side.
//
// # Vocabulary
//
// A run creates fresh streams and starts writers, one per connection, each with one call in
// flight. A writer sends PutRecords (or PutRecord) requests encoded once before the run:
// every record carries a 9-byte header naming its writer and its number, so a call only
// rewrites twelve base64 characters per record, and the generator costs the machine little
// next to the server. The write phase ends after a duration or a record count; the read-back
// then reads every shard from TRIM_HORIZON with GetRecords. Each record read is checked
// against what its writer sent: acknowledged, read once, after the records its writer sent
// before it to the same shard, under rising sequence numbers, with its partition key and
// data unchanged, on the shard whose hash range owns its key.
//
// Call latencies go into a Histogram (log-linear buckets, under 0.8 % error), summed up as
// p50, p90, p99 and p99.9. With Config.ServerPID the run also samples the server process's
// CPU time and memory (VmHWM, RssAnon, RssFile) from /proc during each phase.
//
// With Config.Consumers the run also measures enhanced fan-out: it registers that many
// consumers on each stream, subscribes each to every shard with SubscribeToShard before the
// writes start (its own event-stream reader, internal/eventstream, over one HTTP/1.1
// connection per subscription), checks every record pushed as the read-back does, and notes
// its delivery latency, from the answer to its PutRecords call to its arrival. Once the
// writes are done it waits until each consumer has been pushed every acknowledged record,
// and reports per consumer the records/s pushed, the latencies and the verification, and
// the server's CPU per record pushed and memory per subscription (FanOutResult).
//
// # Usage
//
//	res, err := bench.Run(ctx, bench.Config{
//		Endpoint:     "http://127.0.0.1:4567",
//		Shards:       4,
//		RecordBytes:  100,
//		BatchRecords: 500,
//		Connections:  8,
//		Duration:     10 * time.Second,
//	})
//	fmt.Printf("%.0f records/s, p99 %.1f ms, verified: %v\n",
//		res.Write.RecordsPerSec, res.Write.Latency.P99Ms, res.Verify.OK)
//
// # The machine's floor
//
// The package's Floor benchmarks (Linux) price what the machine charges for the work every
// record needs whatever the server does: a system call, a thread switch, writing new and
// cached page-cache pages, reading them back mapped or copied with a CRC check, an
// fdatasync, loopback TCP each way, MD5 of a partition key, each in CPU time per unit. The
// server's CPU per record is read against their sum; bench/README.md adds it up.
//
// # Caveats
//
// Only the control plane (CreateStream, DescribeStreamSummary, ListShards, DeleteStream) goes
// through the AWS SDK. The write and read loops send SigV4-shaped headers with a dummy
// signature, which local servers accept; real AWS does not. Every writer keeps its records'
// templates (about 2,000 records) in memory and one bit per record sent; the read-back keeps
// one more bit per record.
//
// # Concurrency
//
// Run may be called from several goroutines at once; each run has its own streams,
// connections and state. Config.Progress is called from one goroutine of the run.
package bench
