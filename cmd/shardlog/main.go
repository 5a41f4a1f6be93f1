package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `shardlog: a durable local stream server speaking the Amazon Kinesis Data Streams API

Usage:
  shardlog serve [flags]       run the server
  shardlog put [flags]         send lines of stdin (or arguments) as records to a stream
  shardlog tail [flags]        print a stream's records as they arrive, across reshards
  shardlog inspect dump FILE   print a segment or index file record by record
  shardlog inspect check DIR   verify a data directory; exit 1 on damage
  shardlog bench [flags]       load-test a Kinesis endpoint and verify what it stored
  shardlog bench-probe ready|reads  time a server's start-up or its first reads (bench/curve-data.sh)
  shardlog ping [flags]        exit 0 when a server answers that it is ready (GET /health)
  shardlog reset [flags]       delete every stream of a server at once (loopback only)
  shardlog version             print the version, VCS revision and Go version of the build

Run 'shardlog <command> -h' for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(args[1:], stderr)
	case "put":
		return runPut(args[1:], os.Stdin, stdout, stderr)
	case "tail":
		return runTail(args[1:], stdout, stderr)
	case "inspect":
		return runInspect(args[1:], stdout, stderr)
	case "bench":
		return runBench(args[1:], stdout, stderr)
	case "bench-probe":
		return runBenchProbe(args[1:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, readBuildInfo())
		return 0
	case "ping":
		return runPing(args[1:], stdout, stderr)
	case "reset":
		return runReset(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "shardlog: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
