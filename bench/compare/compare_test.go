package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixture copies testdata/NAME to a temporary directory, since table writes results.tsv
// beside the runs.
func fixture(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", name))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestTable_FailedRuns renders the fixture testdata/two-failed: two scenarios, where
// shardlog's run 2 of PutRecords lost 3 records (with CPU figures far off the others) and
// kinesalite's run 2 of PutRecord wrote no JSON. Both must be counted and listed as failed
// with the last line of their stderr, and neither may move a median or a spread.
func TestTable_FailedRuns(t *testing.T) {
	dir := fixture(t, "two-failed")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"table", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("compare table: exit %d: %s", code, stderr.String())
	}
	table := stdout.String()
	for _, want := range []string{
		"**8 of 10 runs good** (read-back verified every record, server sampled); 2 failed",
		// 30, 36, 33 for kinesalite; 1.0 and 1.2 for shardlog, not the failed run's 100.
		"| PutRecords 500 × 100 B, 8 connections | 33.0 [30.0–36.0] → **1.10 [1.00–1.20]** | 30.0× | 21.0 [20.0–22.0] → **0.310 [0.300–0.320]** | 67.7× |",
		"| 3/3, 2/3 |\n",
		// kinesalite's only good PutRecord run: one figure, no spread.
		"| PutRecord 100 B, 1 connection | 60.0 → **5.25 [5.00–5.50]** | 11.4× |",
		"| 1/2, 2/2 |\n",
		"Failed runs (2), left out of every figure above:",
		"- **FAILED** PutRecords 500 × 100 B, 8 connections, shardlog, run 2 (number 6 in the order of the runs): unverified: 3 lost, 0 duplicated, " +
			"0 reordered, 0 changed, 0 on the wrong shard, 0 unknown, 0 refused but stored; stderr: shardlog bench: bench: verification failed: 3 lost,",
		"- **FAILED** PutRecord 100 B, 1 connection, kinesalite, run 2 (number 8 in the order of the runs): empty JSON; stderr: shardlog bench: cannot connect to http://127.0.0.1:40123",
		"| PutRecords 500 × 100 B, 8 connections | 10,500 [10,000–11,000] → **390,000 [380,000–400,000]** (37.1×) |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}

	results, err := os.ReadFile(filepath.Join(dir, "results.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, line := range strings.Split(strings.TrimSpace(string(results)), "\n")[1:] {
		f := strings.Split(line, "\t")
		status, _, _ := strings.Cut(f[6], ":")
		statuses = append(statuses, f[0]+" "+status)
	}
	want := []string{"1 ok", "2 ok", "3 ok", "4 ok", "5 ok", "6 failed", "7 ok", "8 failed", "9 ok", "10 ok"}
	if !slices.Equal(statuses, want) {
		t.Errorf("results.tsv statuses %q, want %q", statuses, want)
	}
}

// TestJudge checks each way a run can fail, and that the last line of stderr is the evidence.
func TestJudge(t *testing.T) {
	good, err := os.ReadFile("testdata/two-failed/shardlog-putrecords-100-1.json")
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) []byte {
		t.Helper()
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("fixture has no %q", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	tests := []struct {
		name   string
		json   []byte
		exit   int
		stderr string
		want   string // the reason; "" for a good run
	}{
		{"good", good, 0, "", ""},
		{"empty", nil, 1, "shardlog bench: cannot connect\n", "empty JSON; stderr: shardlog bench: cannot connect"},
		{"blank", []byte(" \n"), 1, "", "empty JSON"},
		{"cut-short", good[:len(good)/2], 0, "signal: killed\n\n", "unparsable JSON (unexpected end of JSON input); stderr: signal: killed"},
		{"no-read-back", []byte(`{"write":{"records":5}}`), 1, "x\nshardlog bench: GetRecords: HTTP 500\n", "no read-back result; stderr: shardlog bench: GetRecords: HTTP 500"},
		{"unverified", edit(`"ok": true`, `"ok": false`), 1, "", "unverified: 0 lost, 0 duplicated, 0 reordered, 0 changed, 0 on the wrong shard, 0 unknown, 0 refused but stored"},
		{"no-server", edit(`"server"`, `"notServer"`), 0, "", "no server figures (the bench did not sample --server-pid)"},
		{"exit-status", good, 1, "shardlog bench: delete streams: timeout", "bench exited 1; stderr: shardlog bench: delete streams: timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, reason := judge(tt.json, tt.exit, lastLine([]byte(tt.stderr)))
			if reason != tt.want {
				t.Fatalf("judge reason %q, want %q", reason, tt.want)
			}
			if tt.want == "" && f.serverWriteCPU != 1 {
				t.Fatalf("good run: server CPU per million written %g, want 1", f.serverWriteCPU)
			}
			if tt.want != "" && f != (figures{}) {
				t.Fatalf("failed run has figures %+v", f)
			}
		})
	}
}

// TestOrder checks the shuffle: every pair once per run, runs in sequence, the same seed
// giving the same order and another seed another one.
func TestOrder(t *testing.T) {
	scenarios, servers := []string{"a", "b", "c", "d"}, []string{"kinesalite", "shardlog"}
	got := order(7, 3, scenarios, servers)
	if len(got) != 3*4*2 {
		t.Fatalf("order: %d slots, want 24", len(got))
	}
	var first []slot
	for i, s := range got {
		if want := i/8 + 1; s.run != want {
			t.Fatalf("slot %d is of run %d, want %d", i, s.run, want)
		}
	}
	for r := range 3 {
		block := slices.Clone(got[r*8 : r*8+8])
		if r == 0 {
			first = slices.Clone(block)
		}
		slices.SortFunc(block, func(a, b slot) int { return strings.Compare(a.scenario+a.server, b.scenario+b.server) })
		for i, s := range block {
			want := slot{r + 1, scenarios[i/2], servers[i%2]}
			if s != want {
				t.Fatalf("run %d: sorted slot %d = %+v, want %+v", r+1, i, s, want)
			}
		}
	}
	if !slices.Equal(got, order(7, 3, scenarios, servers)) {
		t.Fatal("seed 7 gave two orders")
	}
	if slices.Equal(got, order(8, 3, scenarios, servers)) {
		t.Fatal("seeds 7 and 8 gave the same order")
	}
	if first[0].scenario == "a" && first[1].scenario == "a" && first[2].scenario == "b" && first[3].scenario == "b" {
		t.Fatalf("seed 7: run 1 in the fixed order: %+v", first)
	}
}

// TestCompareScript_Table runs bench/compare.sh --table on the fixture: the script's own
// table step, the one a full comparison ends with, lists the failed runs.
func TestCompareScript_Table(t *testing.T) {
	for _, tool := range []string{"bash", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("SHARDLOG_REQUIRE_E2E") == "1" {
				t.Fatalf("%s is needed: %v", tool, err)
			}
			t.Skipf("%s is needed: %v", tool, err)
		}
	}
	dir := fixture(t, "two-failed")
	cmd := exec.Command("bash", "../compare.sh", "--table", dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("compare.sh --table: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{
		"**8 of 10 runs good**",
		"- **FAILED** PutRecords 500 × 100 B, 8 connections, shardlog, run 2 ",
		"- **FAILED** PutRecord 100 B, 1 connection, kinesalite, run 2 ",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("compare.sh --table output lacks %q:\n%s", want, stdout.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "table.md")); err != nil {
		t.Errorf("compare.sh --table wrote no table.md: %v", err)
	}
}

// TestCPUCell checks that a phase too short for one CPU tick shows as under the tick, not as
// free, and that a figure of one run has no spread.
func TestCPUCell(t *testing.T) {
	runs := func(pairs ...float64) cell {
		var c cell
		for i := 0; i < len(pairs); i += 2 {
			c.runs = append(c.runs, runRecord{figures: figures{serverReadCPU: pairs[i], readTick: pairs[i+1]}})
		}
		return c
	}
	value := func(f figures) float64 { return f.serverReadCPU }
	tick := func(f figures) float64 { return f.readTick }
	tests := []struct {
		name string
		c    cell
		want string
	}{
		{"no-good-run", runs(), "no good run"},
		{"one-run", runs(0.479, 0.02), "0.479"},
		{"three-runs", runs(2.05, 0.01, 1.9, 0.01, 2.2, 0.01), "2.05 [1.90–2.20]"},
		{"under-one-tick", runs(0, 2.86), "< 2.86"},
		{"mostly-under-one-tick", runs(0, 2.5, 0, 3, 3.1, 3.1), "< 3.00"},
	}
	for _, tt := range tests {
		if got := cpuCell(tt.c, value, tick); got != tt.want {
			t.Errorf("%s: cpuCell = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestCPURatio checks the ratio of the headline columns, bounded when a side is under a tick.
func TestCPURatio(t *testing.T) {
	one := func(v, tick float64) cell {
		return cell{runs: []runRecord{{figures: figures{serverWriteCPU: v, writeTick: tick}}}}
	}
	value := func(f figures) float64 { return f.serverWriteCPU }
	tick := func(f figures) float64 { return f.writeTick }
	tests := []struct {
		name          string
		base, subject cell
		want          string
	}{
		{"both", one(113, 0.1), one(1.86, 0.004), "60.8×"},
		{"subject-under-a-tick", one(68.7, 2.5), one(0, 2.84), "> 24.2×"},
		{"base-under-a-tick", one(0, 4), one(2, 0.1), "< 2.0×"},
		{"no-good-subject-run", one(68.7, 2.5), cell{}, "–"},
		{"both-under-a-tick", one(0, 4), one(0, 2), "–"},
	}
	for _, tt := range tests {
		if got := cpuRatio(tt.base, tt.subject, value, tick); got != tt.want {
			t.Errorf("%s: cpuRatio = %q, want %q", tt.name, got, tt.want)
		}
	}
}
