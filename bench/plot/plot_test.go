package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseCurve_Fixture(t *testing.T) {
	f, err := os.Open("testdata/fixture.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ParseCurve("fixture", f)
	if err != nil {
		t.Fatal(err)
	}
	if c.XName != "shards" || len(c.Comments) != 2 || len(c.Series) != 4 {
		t.Fatalf("x %q, %d comments, %d series; want shards, 2, 4", c.XName, len(c.Comments), len(c.Series))
	}
	fds := c.Series[2]
	if fds.Name != "fds" || fds.Unit != "count" {
		t.Fatalf("third series %q (%q), want fds (count)", fds.Name, fds.Unit)
	}
	// The empty cell at 100 shards is not measured: no point, not a zero.
	want := []Point{{1, 14}, {1000, 1012}, {10000, 10012}}
	if !reflect.DeepEqual(fds.Points, want) {
		t.Fatalf("fds points %v, want %v", fds.Points, want)
	}
	if got := c.Units(); !reflect.DeepEqual(got, []string{"MiB", "count", "ms"}) {
		t.Fatalf("units %v, want [MiB count ms]", got)
	}
}

func TestParseCurve_Errors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"no header", "# only a comment\n", "no header"},
		{"bad x", "shards\tx (ms)\nten\t1\n", `x value "ten"`},
		{"bad cell", "shards\tx (ms)\n10\tfast\n", `column "x"`},
		{"too many cells", "shards\tx (ms)\n10\t1\t2\n", "3 cells"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCurve("c", strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestDrawAll_Fixture draws the fixture: one SVG per unit, each naming its series and
// none of the others'.
func TestDrawAll_Fixture(t *testing.T) {
	dir := t.TempDir()
	in, err := os.ReadFile("testdata/fixture.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fixture.tsv"), in, 0o644); err != nil {
		t.Fatal(err)
	}
	refs := []Reference{{Unit: "ms", Y: 500, Label: "target"}}
	if err := drawAll(dir, refs); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string][]string{
		"fixture-mib.svg":   {">rss<", ">anon rss<", "fixture (MiB)", "fixture curve for the plot tool"},
		"fixture-count.svg": {">fds<", "fixture (count)"},
		"fixture-ms.svg":    {">startup clean<", ">target<"},
	} {
		svg, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		text := string(svg)
		if !strings.HasPrefix(text, "<?xml") || !strings.Contains(text, "<svg") {
			t.Fatalf("%s is not an SVG: %.80q", file, text)
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", file, w)
			}
		}
		if file != "fixture-mib.svg" && strings.Contains(text, ">rss<") {
			t.Errorf("%s draws rss, a MiB series", file)
		}
	}
}

func TestSpansDecades(t *testing.T) {
	for _, tc := range []struct {
		v    []float64
		want bool
	}{
		{[]float64{1, 100, 1000, 10000}, true},
		{[]float64{1, 100}, false},
		{[]float64{12, 600}, false},
		{[]float64{0, 10000}, false}, // zero has no logarithm
		{nil, false},
	} {
		if got := spansDecades(tc.v); got != tc.want {
			t.Errorf("spansDecades(%v) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"MiB": "mib", "records/s": "records-s", "µs": "us", "count": "count", "": ""} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
