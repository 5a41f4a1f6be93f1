package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A Curve is one bench/curves/*.tsv file: a measured x value and the series measured at it.
type Curve struct {
	Name     string   // file name without .tsv, e.g. "shards"
	Comments []string // comment lines, '#' and surrounding space removed
	XName    string   // header of the first column, e.g. "shards"
	Series   []Series // in header order
}

// A Series is one measured column.
type Series struct {
	Name   string  // "rss"
	Unit   string  // "MiB"; empty when the header names none
	Points []Point // the rows where the cell was not empty, in file order
}

// A Point is one measured value.
type Point struct{ X, Y float64 }

// ParseCurve reads a curve in the tab-separated format of the package doc. name is the
// curve's name, used in titles and in the output file names.
func ParseCurve(name string, r io.Reader) (*Curve, error) {
	c := &Curve{Name: name}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.TrimSpace(text) == "":
			continue
		case strings.HasPrefix(text, "#"):
			c.Comments = append(c.Comments, strings.TrimSpace(strings.TrimPrefix(text, "#")))
		case c.XName == "":
			c.parseHeader(text)
		default:
			if err := c.parseRow(text); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", name, line, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if c.XName == "" {
		return nil, fmt.Errorf("%s: no header line", name)
	}
	return c, nil
}

func (c *Curve) parseHeader(text string) {
	cols := strings.Split(text, "\t")
	c.XName = strings.TrimSpace(cols[0])
	for _, col := range cols[1:] {
		name, unit := splitUnit(strings.TrimSpace(col))
		c.Series = append(c.Series, Series{Name: name, Unit: unit})
	}
}

// splitUnit splits "rss (MiB)" into "rss" and "MiB".
func splitUnit(col string) (name, unit string) {
	open := strings.LastIndex(col, "(")
	if open < 0 || !strings.HasSuffix(col, ")") {
		return col, ""
	}
	return strings.TrimSpace(col[:open]), strings.TrimSpace(col[open+1 : len(col)-1])
}

func (c *Curve) parseRow(text string) error {
	cols := strings.Split(text, "\t")
	if len(cols) > len(c.Series)+1 {
		return fmt.Errorf("%d cells, header has %d columns", len(cols), len(c.Series)+1)
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(cols[0]), 64)
	if err != nil {
		return fmt.Errorf("x value %q: %w", cols[0], err)
	}
	for i, cell := range cols[1:] {
		cell = strings.TrimSpace(cell)
		if cell == "" {
			continue
		}
		y, err := strconv.ParseFloat(cell, 64)
		if err != nil {
			return fmt.Errorf("column %q: %q: %w", c.Series[i].Name, cell, err)
		}
		c.Series[i].Points = append(c.Series[i].Points, Point{X: x, Y: y})
	}
	return nil
}

// Units returns the series' units in order of first appearance: one plot each.
func (c *Curve) Units() []string {
	var units []string
	seen := map[string]bool{}
	for _, s := range c.Series {
		if !seen[s.Unit] {
			seen[s.Unit] = true
			units = append(units, s.Unit)
		}
	}
	return units
}
