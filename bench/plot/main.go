package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

func main() {
	var refs refFlags
	flag.Var(&refs, "ref", "a horizontal reference line `unit=value[=label]`, repeatable (e.g. ms=10=target)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run . [-ref unit=value[=label]] [dir]\n\n"+
			"Draws every dir/*.tsv (default ../curves) as dir/<curve>-<unit>.svg.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	dir := "../curves"
	if flag.NArg() > 0 {
		dir = flag.Arg(0)
	}
	if err := drawAll(dir, refs); err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
}

// drawAll draws every curve in dir and prints the files it wrote.
func drawAll(dir string, refs []Reference) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.tsv"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no *.tsv in %s", dir)
	}
	sort.Strings(files)
	for _, f := range files {
		written, err := drawFile(f, refs)
		if err != nil {
			return err
		}
		for _, w := range written {
			fmt.Println(w)
		}
	}
	return nil
}

// drawFile draws one curve file, one SVG per unit, beside it.
func drawFile(path string, refs []Reference) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	name := strings.TrimSuffix(filepath.Base(path), ".tsv")
	c, err := ParseCurve(name, f)
	if err != nil {
		return nil, err
	}
	var written []string
	used := map[string]bool{}
	for i, unit := range c.Units() {
		part := slug(unit)
		if part == "" || used[part] {
			part = strconv.Itoa(i + 1)
		}
		used[part] = true
		out := filepath.Join(filepath.Dir(path), name+"-"+part+".svg")
		if err := writeFile(out, c, unit, refs); err != nil {
			return nil, err
		}
		written = append(written, out)
	}
	return written, nil
}

func writeFile(out string, c *Curve, unit string, refs []Reference) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := WriteSVG(f, c, unit, refs); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", out, err)
	}
	return f.Close()
}

// refFlags collects -ref flags.
type refFlags []Reference

func (r *refFlags) String() string { return fmt.Sprint(*r) }

func (r *refFlags) Set(v string) error {
	parts := strings.SplitN(v, "=", 3)
	if len(parts) < 2 {
		return fmt.Errorf("want unit=value[=label], got %q", v)
	}
	y, err := strconv.ParseFloat(parts[1], 64)
	if err != nil {
		return fmt.Errorf("reference %q: %w", v, err)
	}
	ref := Reference{Unit: parts[0], Y: y, Label: "reference " + parts[1]}
	if len(parts) == 3 {
		ref.Label = parts[2]
	}
	*r = append(*r, ref)
	return nil
}
