// Command shardlog is a durable local stream server that speaks the Amazon Kinesis Data
// Streams API.
//
// Usage:
//
//	shardlog serve [flags]     run the server (default 127.0.0.1:4567, data in ./shardlog-data)
//	shardlog version           print the version
//
// Every flag of serve has an environment-variable equivalent (SHARDLOG_<FLAG>, upper case,
// dashes as underscores); a flag on the command line wins over the environment.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `shardlog: a durable local stream server speaking the Amazon Kinesis Data Streams API

Usage:
  shardlog serve [flags]       run the server
  shardlog version             print the version

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
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "shardlog", version)
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "shardlog: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
