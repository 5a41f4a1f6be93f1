package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/shardlog/shardlog/bench"
)

const benchUsage = `Usage: shardlog bench [flags]

A load generator for any Kinesis endpoint. It creates fresh streams, writes records from
--connections writers for --duration (or --records), then reads every shard back from
TRIM_HORIZON and verifies that every acknowledged record is there once, in order, on the
right shard and unchanged, and deletes the streams (unless --keep), also when interrupted
with Ctrl-C. It prints a progress line every second and a summary with
records/s, MB/s and call latencies; --json prints the summary as JSON on stdout. It exits 1
if the verification fails. Each phase gives the CPU-seconds this client spent per million
records, and with --server-pid the server's too: the cost per record written and per record
read back, which does not depend on how fast the client is.

With --consumers N it also registers N consumers on each stream before the writes; each
subscribes to every shard with SubscribeToShard while the writes run and is verified to be
pushed every record once and in order. The summary then gives, per consumer, the records/s
pushed and the delivery latency (PutRecords answer to arrival), and the server's CPU per
record pushed and memory per subscription (from --server-pid, else from the endpoint's
/metrics). The consumers are deregistered at the end unless --keep.

The write and read loops send pre-encoded requests with a dummy SigV4 signature, which
local servers (shardlog, kinesalite) accept; AWS itself does not.

`

func runBench(args []string, stdout, stderr io.Writer) int {
	var cfg bench.Config
	var op, payload string
	var asJSON, quiet bool
	fs := newFlagSet("bench", benchUsage, stderr)
	fs.StringVar(&cfg.Endpoint, "endpoint", "http://127.0.0.1:4567", "Kinesis endpoint URL")
	fs.StringVar(&cfg.Region, "region", "us-east-1", "region in the requests' credential scope")
	fs.StringVar(&cfg.StreamPrefix, "stream", "bench", "prefix of the names of the streams the run creates")
	fs.IntVar(&cfg.Streams, "streams", 1, "streams to create")
	fs.IntVar(&cfg.Shards, "shards", 4, "shards per stream")
	fs.StringVar(&op, "op", "putrecords", "write operation: putrecords or putrecord")
	fs.IntVar(&cfg.RecordBytes, "size", 100, fmt.Sprintf("bytes of data per record, %d to %d", bench.MinRecordBytes, bench.MaxRecordBytes))
	fs.IntVar(&cfg.BatchRecords, "batch", 500, "records per PutRecords call, 1 to 500")
	fs.StringVar(&payload, "payload", "random", "record data: random (incompressible) or text (JSON-like log lines)")
	fs.IntVar(&cfg.Connections, "connections", 8, "concurrent writers, one call in flight each")
	fs.IntVar(&cfg.Writers, "writers", 0, "writers, each bound to stream i mod --streams, the connections taking turns over them (default: --connections; set it to --streams to write to every stream)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "pace the writes to this many records/s over all connections (default: as fast as the server answers)")
	fs.DurationVar(&cfg.Duration, "duration", 0, "length of the write phase (default 10s unless --records is set)")
	fs.Int64Var(&cfg.Records, "records", 0, "stop writing after this many records (rounded up to whole calls)")
	readBack := fs.Bool("read-back", true, "read every shard back and verify it")
	fs.IntVar(&cfg.ReadConnections, "read-connections", 0, "shards read back at once (default: all of them)")
	fs.BoolVar(&cfg.KeepStreams, "keep", false, "leave the streams (and consumers) on the server (default: delete them at the end, also when interrupted)")
	fs.DurationVar(&cfg.DrainTimeout, "drain-timeout", 30*time.Second, "with --consumers: how long to wait after the writes for every consumer to be pushed every record")
	fs.IntVar(&cfg.Consumers, "consumers", 0, fmt.Sprintf("consumers per stream subscribed to every shard with SubscribeToShard during the writes, 0 to %d", bench.MaxConsumers))
	fs.Bool("delete", true, "no effect: the streams are deleted unless --keep (kept for older scripts)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of payloads and partition keys")
	fs.IntVar(&cfg.ServerPID, "server-pid", 0, "process id of the server on this machine: report its CPU and memory (Linux)")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON on stdout")
	fs.BoolVar(&quiet, "quiet", false, "no progress lines")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	var err1, err2 error
	cfg.Op, err1 = bench.ParseOp(op)
	cfg.Payload, err2 = bench.ParsePayload(payload)
	if fs.NArg() > 0 {
		err1 = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := errors.Join(err1, err2); err != nil {
		fmt.Fprintln(stderr, "shardlog bench:", err)
		return 2
	}
	cfg.NoReadBack = !*readBack
	if !quiet {
		cfg.Progress = progressPrinter(stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// The watcher below is done before runBench returns: it writes to stderr, which the
	// caller may read as soon as runBench is back.
	finished, watched := make(chan struct{}), make(chan struct{})
	defer func() { close(finished); <-watched }()
	go func() {
		defer close(watched)
		select {
		case <-ctx.Done():
		case <-finished:
			return
		}
		stop() // a second Ctrl-C ends the process at once
		if !cfg.KeepStreams {
			fmt.Fprintln(stderr, "shardlog bench: interrupted: deleting the streams (Ctrl-C again to leave them)")
		}
	}()
	res, err := bench.Run(ctx, cfg)
	if errors.Is(err, bench.ErrConfig) {
		fmt.Fprintln(stderr, "shardlog bench:", err)
		return 2
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(res)
	} else if len(res.Streams) > 0 {
		printBenchResult(stdout, res)
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		err = fmt.Errorf("interrupted (%w)", err)
	}
	if err != nil {
		fmt.Fprintln(stderr, "shardlog bench:", friendly(err, cfg.Endpoint))
		return 1
	}
	return 0
}

// progressPrinter returns a Progress callback printing one line per call: over itself on a
// terminal, one line after another otherwise.
func progressPrinter(w io.Writer) func(bench.Progress) {
	end := "\n"
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			end = "\033[K\r"
		}
	}
	return func(p bench.Progress) {
		fmt.Fprintf(w, "%-5s %5.1fs  %12s records  %10s records/s  %7.1f MB/s  %d errors%s",
			p.Phase, p.Elapsed.Seconds(), group(float64(p.Records)), group(p.RecordsPerSec), p.MBPerSec, p.Errors, end)
	}
}

// printBenchResult prints the summary of a run.
func printBenchResult(w io.Writer, r bench.Result) {
	what := fmt.Sprintf("%s %d × %d B", r.Op, r.BatchRecords, r.RecordBytes)
	if r.Op == bench.OpPutRecord {
		what = fmt.Sprintf("%s %d B", r.Op, r.RecordBytes)
	}
	fmt.Fprintf(w, "shardlog bench: %s %s, %d connections, %d stream(s) × %d shards, %s\n",
		what, r.Payload, r.Connections, len(r.Streams), r.Shards, r.Endpoint)
	printPhase(w, "write", r.Write)
	if r.Read != nil {
		printPhase(w, "read", *r.Read)
	}
	if r.FanOut != nil {
		printFanOut(w, r.FanOut)
	}
	if v := r.Verify; v != nil {
		verdict := "ok"
		if !v.OK {
			verdict = "FAILED"
		}
		fmt.Fprintf(w, "verify  %s: %s acknowledged, %s read; %d lost, %d duplicated, %d out of order, %d changed, %d on the wrong shard, %d unknown, %d refused but stored; %d in doubt\n",
			verdict, group(float64(v.Acknowledged)), group(float64(v.Read)), v.Lost, v.Duplicated, v.Reordered,
			v.Changed, v.WrongShard, v.Unknown, v.Unacknowledged, v.InDoubt)
		for _, p := range v.Problems {
			fmt.Fprintf(w, "        %s\n", p)
		}
	}
}

// printFanOut prints what the consumers of a run were pushed.
func printFanOut(w io.Writer, f *bench.FanOutResult) {
	l := f.Latency
	fmt.Fprintf(w, "fan-out %d consumer(s), %d subscriptions: %s records pushed in %.2f s, %s records/s; delivery p50 %s, p99 %s, max %s (%.0f%% before the writer read its answer); from the call's start p50 %s, p99 %s\n",
		f.Consumers, f.Subscriptions, group(float64(f.Records)), f.Seconds, group(f.RecordsPerSec), ms(l.P50Ms), ms(l.P99Ms), ms(l.MaxMs),
		100*float64(f.BeforeAnswer)/max(1, float64(f.Records)), ms(f.FromSend.P50Ms), ms(f.FromSend.P99Ms))
	if s := f.Server; s != nil {
		fmt.Fprintf(w, "        server (CPU from %s, memory from %s): %.2f CPU s, %.2f µs per record pushed; memory per subscription %s idle, %s at peak\n",
			cmp.Or(s.CPUFrom, "nowhere"), cmp.Or(s.MemoryFrom, "nowhere"), s.CPUSeconds, s.CPUMicrosPerRecord,
			kib(s.IdleBytesPerSubscription), kib(s.PeakBytesPerSubscription))
	}
	for _, c := range f.PerConsumer {
		verdict := "ok"
		if v := c.Verify; v != nil && !v.OK {
			verdict = fmt.Sprintf("FAILED: %d lost, %d duplicated, %d out of order, %d changed, %d on the wrong shard, %d unknown, %d refused but pushed",
				v.Lost, v.Duplicated, v.Reordered, v.Changed, v.WrongShard, v.Unknown, v.Unacknowledged)
		}
		fmt.Fprintf(w, "        %s: %s records in %s events, %s records/s, p50 %s, p99 %s; %s\n",
			c.Name, group(float64(c.Records)), group(float64(c.Events)), group(c.RecordsPerSec), ms(c.Latency.P50Ms), ms(c.Latency.P99Ms), verdict)
	}
	for _, c := range f.PerConsumer {
		if v := c.Verify; v != nil && !v.OK {
			for _, p := range v.Problems {
				fmt.Fprintf(w, "        %s\n", p)
			}
			break // the problems of every consumer are listed together
		}
	}
}

func printPhase(w io.Writer, name string, p bench.PhaseResult) {
	l := p.Latency
	fmt.Fprintf(w, "%-7s %s records in %.2f s: %s records/s, %.1f MB/s; %s calls, p50 %s, p99 %s, p99.9 %s, max %s; %d errors",
		name, group(float64(p.Records)), p.Seconds, group(p.RecordsPerSec), p.MBPerSec, group(float64(p.Calls)),
		ms(l.P50Ms), ms(l.P99Ms), ms(l.P999Ms), ms(l.MaxMs), p.Errors)
	if p.FailedRecords > 0 {
		fmt.Fprintf(w, ", %d records refused", p.FailedRecords)
	}
	fmt.Fprintf(w, "; client %.2f CPU s (%.2f s per million records)\n", p.ClientCPUSeconds, p.ClientCPUPerMillion)
	if s := p.Server; s != nil {
		fmt.Fprintf(w, "        server: %.2f CPU s (%.2f s per million records), %.2f cores, peak RSS %s, peak anonymous RSS %s\n",
			s.CPUSeconds, s.CPUPerMillion, s.Cores, mib(s.PeakRSSBytes), mib(s.PeakAnonBytes))
	}
}

// group formats a count with thousands separators: 1234567 → 1,234,567.
func group(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func ms(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.2f ms", v)
	}
	return fmt.Sprintf("%.0f ms", v)
}

func kib(b int64) string { return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10)) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
