package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/shardlog/shardlog/bench"
)

// scenario is one row of the table.
type scenario struct{ key, title string }

// runRecord is one run: where it came in the order, what the machine was doing, and what
// the bench reported. A run with a reason is failed, and its figures are not used.
type runRecord struct {
	order    int
	run      int
	scenario string
	server   string
	busy     float64 // percent of all CPUs busy in the second before the run
	load     float64 // one-minute load average before the run
	exit     int     // the bench's exit status
	disk     int64   // bytes in the data directory after the server stopped
	reason   string  // why the run failed; empty for a good run
	figures  figures
}

func (r runRecord) ok() bool { return r.reason == "" }

// figures are what a good run measured.
type figures struct {
	writeRPS, writeMBps           float64
	p50Ms, p99Ms                  float64 // write calls
	readRPS                       float64
	peakRSS, peakAnon             int64   // the larger of the two phases
	serverWriteCPU, serverReadCPU float64 // CPU-seconds per million records
	clientWriteCPU, clientReadCPU float64 // CPU-seconds per million records
	// writeTick and readTick are one tick of /proc/<pid>/stat's CPU times (10 ms) per
	// million records of the phase: the resolution of the server's figures.
	writeTick, readTick float64
	writeCores          float64
	payload             int64 // data bytes written
	disk                int64 // bytes in the data directory after the server stopped
}

// readScenarios reads DIR/scenarios.tsv: key, title.
func readScenarios(dir string) ([]scenario, error) {
	rows, err := readTSV(filepath.Join(dir, "scenarios.tsv"), 2)
	if err != nil {
		return nil, err
	}
	var out []scenario
	for _, f := range rows {
		out = append(out, scenario{key: f[0], title: f[1]})
	}
	return out, nil
}

// The columns of runs.tsv, as compare.sh writes them.
const (
	colOrder = iota
	colRun
	colScenario
	colServer
	colBusy
	colLoad
	colExit
	colDisk
	colJSON
	colErr
	runsColumns
)

// readRuns reads DIR/runs.tsv and judges each run from its JSON and stderr files.
func readRuns(dir string) ([]runRecord, error) {
	path := filepath.Join(dir, "runs.tsv")
	rows, err := readTSV(path, runsColumns)
	if err != nil {
		return nil, err
	}
	var runs []runRecord
	for i, f := range rows {
		r := runRecord{scenario: f[colScenario], server: f[colServer]}
		var errs []error
		for _, c := range []struct {
			dst any
			col int
		}{{&r.order, colOrder}, {&r.run, colRun}, {&r.busy, colBusy}, {&r.load, colLoad}, {&r.exit, colExit}, {&r.disk, colDisk}} {
			errs = append(errs, parseField(c.dst, f[c.col]))
		}
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", path, i+2, err)
		}
		jsonBytes, _ := os.ReadFile(filepath.Join(dir, f[colJSON])) // a missing file is an empty one
		stderr, _ := os.ReadFile(filepath.Join(dir, f[colErr]))
		r.figures, r.reason = judge(jsonBytes, r.exit, lastLine(stderr))
		if r.ok() {
			r.figures.disk = r.disk
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// judge reads a run's JSON and returns its figures, or why the run failed: no JSON, JSON
// that does not parse, a read-back that did not finish or did not verify, a server that was
// not sampled, or a bench that exited with an error. lastErr, the last line of the run's
// stderr, is added to the reason.
func judge(js []byte, exit int, lastErr string) (figures, string) {
	reason := failure(js, exit)
	if reason == "" {
		var r bench.Result
		json.Unmarshal(js, &r) // failure parsed it already
		return figuresOf(r), ""
	}
	if lastErr != "" {
		reason += "; stderr: " + lastErr
	}
	return figures{}, reason
}

// failure returns why a run with this JSON and exit status does not count, or "".
func failure(js []byte, exit int) string {
	if len(bytes.TrimSpace(js)) == 0 {
		return "empty JSON"
	}
	var r bench.Result
	if err := json.Unmarshal(js, &r); err != nil {
		return fmt.Sprintf("unparsable JSON (%v)", err)
	}
	switch v := r.Verify; {
	case v == nil || r.Read == nil:
		return "no read-back result"
	case !v.OK:
		return fmt.Sprintf("unverified: %d lost, %d duplicated, %d reordered, %d changed, %d on the wrong shard, %d unknown, %d refused but stored",
			v.Lost, v.Duplicated, v.Reordered, v.Changed, v.WrongShard, v.Unknown, v.Unacknowledged)
	case r.Write.Server == nil || r.Read.Server == nil:
		return "no server figures (the bench did not sample --server-pid)"
	case exit != 0:
		return fmt.Sprintf("bench exited %d", exit)
	}
	return ""
}

// figuresOf picks the table's figures from a good run's result.
func figuresOf(r bench.Result) figures {
	w, rd := r.Write, *r.Read
	return figures{
		writeRPS: w.RecordsPerSec, writeMBps: w.MBPerSec,
		p50Ms: w.Latency.P50Ms, p99Ms: w.Latency.P99Ms,
		readRPS:        rd.RecordsPerSec,
		peakRSS:        max(w.Server.PeakRSSBytes, rd.Server.PeakRSSBytes),
		peakAnon:       max(w.Server.PeakAnonBytes, rd.Server.PeakAnonBytes),
		serverWriteCPU: w.Server.CPUPerMillion, serverReadCPU: rd.Server.CPUPerMillion,
		clientWriteCPU: w.ClientCPUPerMillion, clientReadCPU: rd.ClientCPUPerMillion,
		writeTick:  perMillion(cpuTick, w.Records),
		readTick:   perMillion(cpuTick, rd.Records),
		writeCores: w.Server.Cores,
		payload:    w.Bytes,
	}
}

// cpuTick is the unit of the CPU times in /proc/<pid>/stat, USER_HZ = 100 on Linux.
const cpuTick = 0.01

// perMillion returns seconds per million records, 0 without records.
func perMillion(seconds float64, records int64) float64 {
	if records <= 0 {
		return 0
	}
	return seconds / float64(records) * 1e6
}

// lastLine returns the last line of b that is not blank.
func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// readTSV reads a tab-separated file with a header line, each line with n columns.
func readTSV(path string, n int) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if line == 1 || sc.Text() == "" {
			continue // the header
		}
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != n {
			return nil, fmt.Errorf("%s: line %d: %d columns, want %d", path, line, len(fields), n)
		}
		rows = append(rows, fields)
	}
	return rows, sc.Err()
}

// parseField parses s into *dst, an int, int64 or float64.
func parseField(dst any, s string) error {
	var err error
	switch d := dst.(type) {
	case *int:
		*d, err = strconv.Atoi(s)
	case *int64:
		*d, err = strconv.ParseInt(s, 10, 64)
	case *float64:
		*d, err = strconv.ParseFloat(s, 64)
	}
	return err
}

// writeResults writes DIR/results.tsv: every run in the order it ran, its status and figures.
func writeResults(dir string, runs []runRecord) error {
	var b bytes.Buffer
	b.WriteString("order\trun\tscenario\tserver\tbusy\tload\tstatus\twrite_rps\twrite_mbps\tp50_ms\tp99_ms\tread_rps\t" +
		"peak_rss\tpeak_anon\tserver_cpu_s_per_M_written\tserver_cpu_s_per_M_read\tclient_cpu_s_per_M_written\tclient_cpu_s_per_M_read\t" +
		"write_cores\tdisk\tpayload\n")
	for _, r := range runs {
		status := "ok"
		if !r.ok() {
			status = "failed: " + strings.ReplaceAll(r.reason, "\t", " ")
		}
		f := r.figures
		fmt.Fprintf(&b, "%d\t%d\t%s\t%s\t%g\t%g\t%s\t%.0f\t%.2f\t%.3f\t%.3f\t%.0f\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f\t%d\t%d\n",
			r.order, r.run, r.scenario, r.server, r.busy, r.load, status, f.writeRPS, f.writeMBps, f.p50Ms, f.p99Ms, f.readRPS,
			f.peakRSS, f.peakAnon, f.serverWriteCPU, f.serverReadCPU, f.clientWriteCPU, f.clientReadCPU, f.writeCores, r.disk, f.payload)
	}
	return os.WriteFile(filepath.Join(dir, "results.tsv"), b.Bytes(), 0o644)
}
