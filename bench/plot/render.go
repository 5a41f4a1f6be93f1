package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

const (
	plotWidth      = 18 * vg.Centimeter // the axes and data
	legendWidth    = 7 * vg.Centimeter  // the legend, right of the data, where it hides nothing
	plotHeight     = 12 * vg.Centimeter
	titleComments  = 2  // comment lines shown under the title
	titleLineRunes = 90 // a longer comment line is cut
	logDecades     = 2  // an axis spanning more decades than this is logarithmic
)

// A Reference is a horizontal line drawn on the plot of one unit, e.g. a target.
type Reference struct {
	Unit  string
	Label string
	Y     float64
}

// WriteSVG draws the series of c measured in unit, with the references for that unit, as
// one SVG line plot with points.
func WriteSVG(w io.Writer, c *Curve, unit string, refs []Reference) error {
	p := plot.New()
	p.Title.Text = title(c, unit)
	p.X.Label.Text = c.XName
	p.Y.Label.Text = unit
	p.Add(plotter.NewGrid())
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true

	var xs, ys []float64
	n := 0
	for _, s := range c.Series {
		if s.Unit != unit || len(s.Points) == 0 {
			continue
		}
		xy := make(plotter.XYs, len(s.Points))
		for i, pt := range s.Points {
			xy[i].X, xy[i].Y = pt.X, pt.Y
			xs, ys = append(xs, pt.X), append(ys, pt.Y)
		}
		line, points, err := plotter.NewLinePoints(xy)
		if err != nil {
			return fmt.Errorf("series %q: %w", s.Name, err)
		}
		line.Color = plotutil.Color(n)
		line.Dashes = plotutil.Dashes(0)
		points.Color = plotutil.Color(n)
		points.Shape = plotutil.Shape(n)
		p.Add(line, points)
		legend.Add(s.Name, line, points)
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s: no measured series in unit %q", c.Name, unit)
	}
	for _, r := range refs {
		if r.Unit != unit {
			continue
		}
		addReference(p, &legend, r, xs)
		ys = append(ys, r.Y)
	}
	if spansDecades(xs) {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	if spansDecades(ys) {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	} else if p.Y.Min > 0 {
		p.Y.Min = 0 // a linear y axis starts at zero so that ratios read off the plot
	}

	canvas := vgsvg.New(plotWidth+legendWidth, plotHeight)
	dc := draw.New(canvas)
	p.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	legendArea := draw.Crop(dc, plotWidth+vg.Centimeter/2, 0, 0, -p.Title.TextStyle.Height(p.Title.Text)-vg.Centimeter)
	legend.Draw(legendArea)
	_, err := canvas.WriteTo(w)
	return err
}

func addReference(p *plot.Plot, legend *plot.Legend, r Reference, xs []float64) {
	lo, hi := minMax(xs)
	ref := plotter.NewFunction(func(float64) float64 { return r.Y })
	ref.XMin, ref.XMax = lo, hi
	ref.Color = color.Gray{Y: 96}
	ref.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(ref)
	legend.Add(r.Label, ref)
}

// title is the curve and the unit, then the first comment lines.
func title(c *Curve, unit string) string {
	lines := []string{c.Name}
	if unit != "" {
		lines[0] += " (" + unit + ")"
	}
	for _, cm := range c.Comments {
		if len(lines) > titleComments {
			break
		}
		if r := []rune(cm); len(r) > titleLineRunes {
			cm = string(r[:titleLineRunes-1]) + "…"
		}
		lines = append(lines, cm)
	}
	return strings.Join(lines, "\n")
}

// spansDecades reports whether all values are positive and the largest is more than
// logDecades decades above the smallest.
func spansDecades(v []float64) bool {
	lo, hi := minMax(v)
	return len(v) > 0 && lo > 0 && math.Log10(hi/lo) > logDecades
}

func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

// slug turns a unit into a file-name part: "MiB" → "mib", "records/s" → "records-s".
func slug(unit string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(unit) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r == 'µ':
			b.WriteString("u")
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
