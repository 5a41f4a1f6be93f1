package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/bench"
)

func TestBench_AgainstServer(t *testing.T) {
	srv := serveInProcess(t, "")
	tests := []struct {
		name string
		args []string
		want func(t *testing.T, r bench.Result)
	}{
		{"putrecords", []string{"--records", "3000", "--batch", "250", "--connections", "3"}, func(t *testing.T, r bench.Result) {
			require.Equal(t, bench.OpPutRecords, r.Op)
			require.Equal(t, int64(3000), r.Write.Records)
		}},
		{"putrecord-text", []string{"--op", "putrecord", "--records", "200", "--payload", "text", "--size", "300", "--connections", "2"}, func(t *testing.T, r bench.Result) {
			require.Equal(t, bench.OpPutRecord, r.Op)
			require.Equal(t, bench.PayloadText, r.Payload)
			require.Equal(t, int64(200*300), r.Write.Bytes)
		}},
		{"two-streams", []string{"--records", "2000", "--streams", "2", "--shards", "2", "--connections", "4", "--batch", "100"}, func(t *testing.T, r bench.Result) {
			require.Len(t, r.Streams, 2)
			require.Equal(t, 2, r.Shards)
		}},
		{"server-pid", []string{"--records", "1000", "--server-pid", strconv.Itoa(os.Getpid())}, func(t *testing.T, r bench.Result) {
			// The server runs in this process, so the run samples this process.
			require.NotNil(t, r.Write.Server)
			require.Positive(t, r.Write.Server.PeakRSSBytes)
			require.Positive(t, r.Write.Server.PeakAnonBytes)
			require.NotNil(t, r.Read.Server)
			for _, p := range []bench.PhaseResult{r.Write, *r.Read} {
				require.InDelta(t, p.Server.CPUSeconds/float64(p.Records)*1e6, p.Server.CPUPerMillion, 1e-9)
				require.InDelta(t, p.ClientCPUSeconds/float64(p.Records)*1e6, p.ClientCPUPerMillion, 1e-9)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"bench", "--endpoint", srv.Endpoint, "--json", "--quiet"}, tt.args...)
			code, stdout, stderr := runCmd(nil, args...)
			require.Equal(t, 0, code, stderr)
			var r bench.Result
			require.NoError(t, json.Unmarshal([]byte(stdout), &r), stdout)
			require.NotNil(t, r.Verify)
			require.True(t, r.Verify.OK, "%+v", r.Verify)
			require.Equal(t, r.Write.Records, r.Verify.Read)
			require.Equal(t, r.Write.Records, r.Read.Records)
			tt.want(t, r)
		})
	}
}

func TestBench_Summary(t *testing.T) {
	srv := serveInProcess(t, "")
	code, stdout, stderr := runCmd(nil, "bench", "--endpoint", srv.Endpoint, "--records", "1000", "--batch", "100",
		"--connections", "2", "--duration", "30s")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "shardlog bench: PutRecords 100 × 100 B random, 2 connections, 1 stream(s) × 4 shards")
	require.Regexp(t, `\nwrite   1,000 records in [\d.]+ s: [\d,]+ records/s, [\d.]+ MB/s; 10 calls, p50 `, stdout)
	require.Regexp(t, `\nread    1,000 records in `, stdout)
	require.Regexp(t, `\nwrite   .*; client [\d.]+ CPU s \([\d.]+ s per million records\)\n`, stdout)
	require.Contains(t, stdout, "\nverify  ok: 1,000 acknowledged, 1,000 read; 0 lost")
}

func TestBench_NoReadBack(t *testing.T) {
	srv := serveInProcess(t, "")
	code, stdout, stderr := runCmd(nil, "bench", "--endpoint", srv.Endpoint, "--records", "500", "--read-back=false", "--json", "--quiet")
	require.Equal(t, 0, code, stderr)
	var r bench.Result
	require.NoError(t, json.Unmarshal([]byte(stdout), &r))
	require.Nil(t, r.Read)
	require.Nil(t, r.Verify)
	require.Equal(t, int64(500), r.Write.Records)
}

func TestBench_Errors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--op", "getrecords"}, 2, "operation"},
		{[]string{"--payload", "zeros"}, 2, "payload"},
		{[]string{"--size", "3"}, 2, "record size 3 bytes"},
		{[]string{"--batch", "501"}, 2, "batch of 501 records"},
		{[]string{"--endpoint", "localhost:1"}, 2, "not an http"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--endpoint", "http://127.0.0.1:1", "--records", "1"}, 1, "cannot connect to http://127.0.0.1:1: connect: connection refused; is shardlog serve running?"},
	}
	for _, tt := range tests {
		code, _, stderr := runCmd(nil, append([]string{"bench", "--quiet"}, tt.args...)...)
		require.Equal(t, tt.code, code, "bench %s: %s", strings.Join(tt.args, " "), stderr)
		require.Contains(t, stderr, tt.want)
	}
}

func TestGroup(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.4: "1,234,567", -4321: "-4,321"} {
		require.Equal(t, want, group(in))
	}
}
