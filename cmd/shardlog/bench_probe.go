package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/signal"
	"syscall"
	"time"

	"github.com/shardlog/shardlog/bench"
)

const benchProbeUsage = `Usage: shardlog bench-probe ready|reads|write [flags]

Measures a server that already holds data (bench/curve-data.sh uses it):

  ready   waits until GET /health answers that the server is ready and prints the time in
          milliseconds since --since-ns (the Unix time in nanoseconds the server was started)
  reads   measures GetShardIterator plus the first GetRecords call (--limit records) at
          TRIM_HORIZON, LATEST and, with --at-ms, AT_TIMESTAMP and AT_SEQUENCE_NUMBER, --tries
          times each over the stream's shards, and prints the latencies as JSON
  write   writes --size byte records in PutRecords calls of --batch from --connections
          writers into an existing stream for --duration (the writes a server is killed
          under), and prints the write phase as JSON

`

func runBenchProbe(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "ready" && args[0] != "reads" && args[0] != "write") {
		fmt.Fprint(stderr, benchProbeUsage)
		return 2
	}
	mode := args[0]
	var cfg bench.ReadProbeConfig
	var sinceNs, atMs int64
	var poll, timeout time.Duration
	var wcfg bench.Config
	fs := newFlagSet("bench-probe", benchProbeUsage, stderr)
	fs.StringVar(&cfg.Endpoint, "endpoint", "http://127.0.0.1:4567", "the server's endpoint URL")
	fs.StringVar(&cfg.Region, "region", "us-east-1", "region in the requests' credential scope")
	fs.Int64Var(&sinceNs, "since-ns", 0, "ready: Unix time in nanoseconds when the server was started (default: now)")
	fs.DurationVar(&poll, "poll", 5*time.Millisecond, "ready: pause between health requests refused or not ready")
	fs.DurationVar(&timeout, "timeout", 10*time.Minute, "ready: give up after this long")
	fs.StringVar(&cfg.Stream, "stream", "", "reads: the stream (default: the first ListStreams names)")
	fs.IntVar(&cfg.Tries, "tries", 50, "reads: measurements per starting position")
	fs.IntVar(&cfg.Limit, "limit", 100, "reads: GetRecords Limit")
	fs.Int64Var(&atMs, "at-ms", 0, "reads: AT_TIMESTAMP position, Unix milliseconds (0: no AT_TIMESTAMP nor AT_SEQUENCE_NUMBER)")
	fs.IntVar(&wcfg.RecordBytes, "size", 1000, "write: bytes of data per record")
	fs.IntVar(&wcfg.BatchRecords, "batch", 500, "write: records per PutRecords call")
	fs.IntVar(&wcfg.Connections, "connections", 8, "write: concurrent writers")
	fs.DurationVar(&wcfg.Duration, "duration", 10*time.Second, "write: how long to write")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "shardlog bench-probe: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if mode == "ready" {
		since := time.Now()
		if sinceNs > 0 {
			since = time.Unix(0, sinceNs)
		}
		took, err := bench.WaitReady(ctx, cfg.Endpoint, since, poll, timeout)
		if err != nil {
			fmt.Fprintln(stderr, "shardlog bench-probe:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%.1f\n", float64(took)/float64(time.Millisecond))
		return 0
	}
	if mode == "write" {
		if cfg.Stream == "" {
			fmt.Fprintln(stderr, "shardlog bench-probe: write needs --stream")
			return 2
		}
		wcfg.Endpoint, wcfg.Region = cfg.Endpoint, cfg.Region
		res, err := bench.WriteInto(ctx, wcfg, cfg.Stream)
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(res)
		if err != nil {
			fmt.Fprintln(stderr, "shardlog bench-probe:", err)
			return 1
		}
		return 0
	}
	if atMs > 0 {
		cfg.At = time.UnixMilli(atMs)
	}
	res, err := bench.ReadProbe(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "shardlog bench-probe:", err)
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.Encode(res)
	return 0
}
