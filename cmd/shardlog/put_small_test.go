package main

import (
	"io"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// closedEndpoint returns the URL of a loopback port on which nothing listens.
func closedEndpoint(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// TestCommands_Unreachable runs put, tail and bench against a port where no server
// listens, and expects an error that names the endpoint and says what to check, not the
// SDK's "https response error StatusCode: 0".
func TestCommands_Unreachable(t *testing.T) {
	endpoint := closedEndpoint(t)
	tests := []struct {
		name string
		args []string
	}{
		{"put", []string{"put", "--endpoint", endpoint, "--stream", "s", "hello"}},
		{"put-create", []string{"put", "--endpoint", endpoint, "--stream", "s", "--create", "hello"}},
		{"put-aggregate", []string{"put", "--endpoint", endpoint, "--stream", "s", "--aggregate", "hello"}},
		{"tail", []string{"tail", "--endpoint", endpoint, "--stream", "s"}},
		{"bench", []string{"bench", "--endpoint", endpoint, "--duration", "1s", "--quiet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(nil, tt.args...)
			require.Equal(t, 1, code, stderr)
			require.Contains(t, stderr, "cannot connect to "+endpoint+": connect: connection refused; is shardlog serve running?")
			require.NotContains(t, stderr, "StatusCode: 0")
			require.NotContains(t, stderr, "0 records in", "no summary when nothing was put")
		})
	}
}

// TestPut_Summary: the summary on stderr counts in words that agree with the numbers.
func TestPut_Summary(t *testing.T) {
	srv := serveInProcess(t, "")
	mustCreate(t, srv.Endpoint, "plurals", 1)
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"none", nil, "", "0 records in 0 calls to stream plurals"},
		{"one", []string{"x"}, "", "1 record in 1 call to stream plurals"},
		{"two", []string{"x", "y"}, "", "2 records in 1 call to stream plurals"},
		{"two-calls", []string{"--batch", "1", "x", "y"}, "", "2 records in 2 calls to stream plurals"},
		{"aggregated", []string{"--aggregate", "--partition-key", "k", "x", "y", "z"}, "", "3 records, aggregated into 1, in 1 call to stream plurals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"put", "--endpoint", srv.Endpoint, "--stream", "plurals"}, tt.args...)
			code, _, stderr := runCmd(strings.NewReader(tt.stdin), args...)
			require.Equal(t, 0, code, stderr)
			require.Equal(t, "shardlog put: "+tt.want+"\n", stderr)
		})
	}
}

// TestPut_FromTerminal: put says on stderr that it waits for lines typed at a terminal,
// and says nothing when its input is piped or records are given as arguments.
func TestPut_FromTerminal(t *testing.T) {
	srv := serveInProcess(t, "")
	mustCreate(t, srv.Endpoint, "typed", 1)
	const hint = "shardlog put: reading records from the terminal, one a line; end with Ctrl-D\n"
	tests := []struct {
		name     string
		terminal bool
		args     []string
		wantHint bool
	}{
		{"terminal", true, nil, true},
		{"pipe", false, nil, false},
		{"terminal-with-arguments", true, []string{"arg"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			cfg := putConfig{isTerminal: func(io.Reader) bool { return tt.terminal }}
			args := append([]string{"--endpoint", srv.Endpoint, "--stream", "typed"}, tt.args...)
			code := runPutWith(cfg, args, strings.NewReader("line\n"), &out, &errOut)
			require.Equal(t, 0, code, errOut.String())
			if tt.wantHint {
				require.True(t, strings.HasPrefix(errOut.String(), hint), "stderr %q", errOut.String())
			} else {
				require.NotContains(t, errOut.String(), "terminal")
			}
		})
	}
}

// TestReadsTerminal checks the test put uses on real files: a terminal device is one;
// /dev/null (a character device too), a pipe and a regular file are not.
func TestReadsTerminal(t *testing.T) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal to test with: %v", err)
	}
	defer ptmx.Close()
	null, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer null.Close()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	file, err := os.CreateTemp(t.TempDir(), "input")
	require.NoError(t, err)
	defer file.Close()

	require.True(t, readsTerminal(ptmx), "/dev/ptmx")
	for name, f := range map[string]io.Reader{"/dev/null": null, "pipe": r, "file": file, "strings.Reader": strings.NewReader("")} {
		require.False(t, readsTerminal(f), name)
	}
}

// TestPut_CreateOtherShardCount: put --create --shards N on a stream that exists with
// another shard count says so, and leaves the stream as it is; with the same count, or no
// --shards, it says nothing.
func TestPut_CreateOtherShardCount(t *testing.T) {
	srv := serveInProcess(t, "")
	mustCreate(t, srv.Endpoint, "two", 2)
	tests := []struct {
		name string
		args []string
		want string // on stderr; empty for nothing besides the summary
	}{
		{"other-count", []string{"--shards", "5"}, "shardlog put: stream two exists with 2 open shards; --shards 5 is for a stream --create makes, and this one is left as it is\n"},
		{"same-count", []string{"--shards", "2"}, ""},
		{"no-shards-flag", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"put", "--endpoint", srv.Endpoint, "--stream", "two", "--create", "--quiet"}, tt.args...)
			code, _, stderr := runCmd(nil, append(args, "x")...)
			require.Equal(t, 0, code, stderr)
			require.Equal(t, tt.want, stderr)
		})
	}
	require.Len(t, openChildren(t, newClient(srv.Endpoint), "two", ""), 2, "the stream keeps its shards")
}
