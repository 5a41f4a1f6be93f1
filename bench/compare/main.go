package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `Usage:
  compare order -seed S -runs N [-servers a,b] KEY...
  compare table DIR
`

// run is the command line; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "order":
		err = runOrder(args[1:], stdout, stderr)
	case "table":
		if len(args) != 2 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		err = runTable(args[1], stdout)
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 1
	}
	return 0
}

func runOrder(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("order", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 0, "seed of the shuffle")
	runs := fs.Int("runs", 1, "runs of every scenario and server")
	servers := fs.String("servers", "kinesalite,shardlog", "servers, comma-separated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs < 1 || fs.NArg() == 0 {
		return fmt.Errorf("order: need -runs ≥ 1 and at least one scenario")
	}
	for _, s := range order(*seed, *runs, fs.Args(), splitComma(*servers)) {
		fmt.Fprintf(stdout, "%d\t%s\t%s\n", s.run, s.scenario, s.server)
	}
	return nil
}

func runTable(dir string, stdout io.Writer) error {
	scenarios, err := readScenarios(dir)
	if err != nil {
		return err
	}
	runs, err := readRuns(dir)
	if err != nil {
		return err
	}
	if err := writeResults(dir, runs); err != nil {
		return err
	}
	writeTable(stdout, scenarios, runs)
	return nil
}
