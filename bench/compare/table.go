package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The two servers of the table: the reference, and the one measured against it.
const (
	baseline = "kinesalite"
	subject  = "shardlog"
)

// spread is a figure over the good runs of one scenario and server.
type spread struct {
	median, min, max float64
	n                int
}

// spreadOf returns the median, minimum and maximum of vs.
func spreadOf(vs []float64) spread {
	if len(vs) == 0 {
		return spread{}
	}
	s := slices.Sorted(slices.Values(vs))
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return spread{median: m, min: s[0], max: s[len(s)-1], n: len(s)}
}

// cell is the runs of one scenario against one server.
type cell struct {
	good, all int
	runs      []runRecord // the good ones
}

// of returns the spread of one figure over the good runs.
func (c cell) of(figure func(figures) float64) spread {
	var vs []float64
	for _, r := range c.runs {
		vs = append(vs, figure(r.figures))
	}
	return spreadOf(vs)
}

// cells groups the runs by scenario and server.
func cells(runs []runRecord) map[[2]string]*cell {
	m := map[[2]string]*cell{}
	for _, r := range runs {
		k := [2]string{r.scenario, r.server}
		if m[k] == nil {
			m[k] = &cell{}
		}
		m[k].all++
		if r.ok() {
			m[k].good++
			m[k].runs = append(m[k].runs, r)
		}
	}
	return m
}

// writeTable prints the machine's load and the count of good runs, the headline table
// (server CPU per record), the table of rates, memory and disk, and the failed runs.
func writeTable(w io.Writer, scenarios []scenario, runs []runRecord) {
	byCell := cells(runs)
	get := func(key, server string) cell {
		if c := byCell[[2]string{key, server}]; c != nil {
			return *c
		}
		return cell{}
	}
	var failed []runRecord
	var busy, load []float64
	for _, r := range runs {
		busy, load = append(busy, r.busy), append(load, r.load)
		if !r.ok() {
			failed = append(failed, r)
		}
	}
	b, l := spreadOf(busy), spreadOf(load)
	fmt.Fprintf(w, "Machine before each run: %.0f–%.0f %% busy (median %.0f %%), one-minute load average %.2f–%.2f.\n",
		b.min, b.max, b.median, l.min, l.max)
	where := ""
	if len(failed) > 0 {
		where = ", listed below the tables"
	}
	fmt.Fprintf(w, "**%d of %d runs good** (read-back verified every record, server sampled); %d failed%s.\n\n",
		len(runs)-len(failed), len(runs), len(failed), where)

	writeCPU(w, scenarios, get)
	writeRates(w, scenarios, get)
	writeFailed(w, scenarios, failed)
}

// writeCPU prints the headline table: the server's CPU per million records written and
// read back, with the spread and the ratio, and the client's beside it.
func writeCPU(w io.Writer, scenarios []scenario, get func(key, server string) cell) {
	fmt.Fprintln(w, "Server CPU per record: CPU-seconds per million records (= µs per record), median [min–max] over the good runs.")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| scenario | written: %s → %s | %s ÷ %s | read back: %s → %s | %s ÷ %s | client, written / read back: %s run → %s run | good runs: %s, %s |\n",
		baseline, subject, baseline, subject, baseline, subject, baseline, subject, baseline, subject, baseline, subject)
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- |")
	var rows strings.Builder
	sw := func(f figures) float64 { return f.serverWriteCPU }
	sr := func(f figures) float64 { return f.serverReadCPU }
	cw := func(f figures) float64 { return f.clientWriteCPU }
	cr := func(f figures) float64 { return f.clientReadCPU }
	wt := func(f figures) float64 { return f.writeTick }
	rt := func(f figures) float64 { return f.readTick }
	for _, sc := range scenarios {
		kl, sl := get(sc.key, baseline), get(sc.key, subject)
		fmt.Fprintf(&rows, "| %s | %s → **%s** | %s | %s → **%s** | %s | %s / %s → %s / %s | %d/%d, %d/%d |\n",
			sc.title,
			cpuCell(kl, sw, wt), cpuCell(sl, sw, wt), cpuRatio(kl, sl, sw, wt),
			cpuCell(kl, sr, rt), cpuCell(sl, sr, rt), cpuRatio(kl, sl, sr, rt),
			median(kl.of(cw), sig), median(kl.of(cr), sig), median(sl.of(cw), sig), median(sl.of(cr), sig),
			kl.good, kl.all, sl.good, sl.all)
	}
	fmt.Fprintln(w, rows.String())
	if strings.Contains(rows.String(), "< ") {
		fmt.Fprintln(w, "CPU times come in 10 ms ticks: \"< x\" is a phase in which the server used less than one tick, x being one tick per million records; a longer --duration resolves it.")
		fmt.Fprintln(w)
	}
}

// writeRates prints the table of rates, latencies, memory and disk, as compare.sh always did.
func writeRates(w io.Writer, scenarios []scenario, get func(key, server string) cell) {
	fmt.Fprintf(w, "Rates, memory and disk: medians over the good runs, records/s with [min–max]; %s → %s.\n\n", baseline, subject)
	fmt.Fprintln(w, "| scenario | write records/s | call p50 / p99 ms | read-back records/s | peak RSS MiB | peak anonymous RSS MiB | server CPU, write (cores) | disk / payload |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, sc := range scenarios {
		kl, sl := get(sc.key, baseline), get(sc.key, subject)
		wr := func(f figures) float64 { return f.writeRPS }
		rd := func(f figures) float64 { return f.readRPS }
		p50 := func(f figures) float64 { return f.p50Ms }
		p99 := func(f figures) float64 { return f.p99Ms }
		rss := func(f figures) float64 { return float64(f.peakRSS) / (1 << 20) }
		anon := func(f figures) float64 { return float64(f.peakAnon) / (1 << 20) }
		cores := func(f figures) float64 { return f.writeCores }
		fmt.Fprintf(w, "| %s | %s → **%s** (%s) | %s / %s → %s / %s | %s → **%s** (%s) | %s → %s | %s → **%s** (%s) | %s → %s | %s → **%s** |\n",
			sc.title,
			withSpread(kl.of(wr), group), withSpread(sl.of(wr), group), times(sl.of(wr), kl.of(wr)),
			median(kl.of(p50), fixed(2)), median(kl.of(p99), fixed(2)), median(sl.of(p50), fixed(2)), median(sl.of(p99), fixed(2)),
			withSpread(kl.of(rd), group), withSpread(sl.of(rd), group), times(sl.of(rd), kl.of(rd)),
			median(kl.of(rss), fixed(0)), median(sl.of(rss), fixed(0)),
			median(kl.of(anon), fixed(0)), median(sl.of(anon), fixed(0)), less(kl.of(anon), sl.of(anon)),
			median(kl.of(cores), fixed(2)), median(sl.of(cores), fixed(2)),
			diskPerPayload(kl), diskPerPayload(sl))
	}
	fmt.Fprintln(w)
}

// writeFailed lists the failed runs, in the order of the table.
func writeFailed(w io.Writer, scenarios []scenario, failed []runRecord) {
	if len(failed) == 0 {
		fmt.Fprintln(w, "No run failed.")
		return
	}
	title := map[string]string{}
	for _, sc := range scenarios {
		title[sc.key] = sc.title
	}
	fmt.Fprintf(w, "Failed runs (%d), left out of every figure above:\n\n", len(failed))
	for _, r := range failed {
		fmt.Fprintf(w, "- **FAILED** %s, %s, run %d (number %d in the order of the runs): %s\n", cmp.Or(title[r.scenario], r.scenario), r.server, r.run, r.order, r.reason)
	}
}

// diskPerPayload is the median of disk bytes over payload bytes.
func diskPerPayload(c cell) string {
	return median(c.of(func(f figures) float64 {
		if f.payload <= 0 {
			return 0
		}
		return float64(f.disk) / float64(f.payload)
	}), fixed(2))
}

// cpuCell formats a server CPU figure with its spread; a median of zero ticks is shown as
// less than one tick (the median tick of the runs), not as a cost of zero.
func cpuCell(c cell, figure, tick func(figures) float64) string {
	s := c.of(figure)
	if s.n > 0 && s.median == 0 {
		return "< " + sig(c.of(tick).median)
	}
	return withSpread(s, sig)
}

// cpuRatio is base's median over subject's; when one of them is under one tick, the ratio
// is bounded by the tick: "> 24.2×".
func cpuRatio(base, subject cell, figure, tick func(figures) float64) string {
	b, s := base.of(figure), subject.of(figure)
	switch {
	case b.n == 0 || s.n == 0:
		return "–"
	case b.median > 0 && s.median == 0:
		return "> " + times(b, subject.of(tick))
	case b.median == 0 && s.median > 0:
		return "< " + times(base.of(tick), s)
	}
	return times(b, s)
}

// withSpread formats "median [min–max]", or the median alone for one run, or "no good run".
func withSpread(s spread, f func(float64) string) string {
	switch s.n {
	case 0:
		return "no good run"
	case 1:
		return f(s.median)
	}
	return fmt.Sprintf("%s [%s–%s]", f(s.median), f(s.min), f(s.max))
}

// median formats the median alone, or "–" without a good run.
func median(s spread, f func(float64) string) string {
	if s.n == 0 {
		return "–"
	}
	return f(s.median)
}

// times formats a / b of the medians as "35.0×".
func times(a, b spread) string {
	if a.n == 0 || b.n == 0 || a.median <= 0 || b.median <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f×", a.median/b.median)
}

// less says how much less (or more) b's median is than a's.
func less(a, b spread) string {
	if a.n == 0 || b.n == 0 || a.median <= 0 || b.median <= 0 {
		return "–"
	}
	if b.median <= a.median {
		return fmt.Sprintf("%.1f× less", a.median/b.median)
	}
	return fmt.Sprintf("%.1f× more", b.median/a.median)
}

// sig formats v with three significant digits or so: 37.8, 1.09, 0.512.
func sig(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

func fixed(decimals int) func(float64) string {
	return func(v float64) string { return fmt.Sprintf("%.*f", decimals, v) }
}

// group formats a count with thousands separators: 1234567 → 1,234,567.
func group(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && c != '-' && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
