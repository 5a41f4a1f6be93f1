package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

// requireSegments checks that the snapshot holds the active segments of a stream's shards.
func requireSegments(t *testing.T, snap map[string]string, shards int) {
	t.Helper()
	n := 0
	for path := range snap {
		if filepath.Ext(path) == ".seg" {
			n++
		}
	}
	require.Equal(t, shards, n, "segment files in the data directory: %v", snap)
}

// runRefusedServe runs `shardlog serve` with args, which must fail: it returns the exit code
// and what the process wrote to stderr. A server that does not exit within 20 s is a
// failure (a refused serve must not start serving).
func runRefusedServe(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, append([]string{"serve"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "the second shardlog serve did not exit within 20 s:\n%s", stderr.String())
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "the second shardlog serve: %v\n%s", err, stderr.String())
	return exit.ExitCode(), stderr.String()
}

// startWithRecords starts a server on dataDir with a stream of two shards holding records.
func startWithRecords(t *testing.T, dataDir string) *serverProc {
	t.Helper()
	srv := startServer(t, dataDir)
	kc := mustCreate(t, srv.Endpoint, "owned", 2)
	putLines(t, kc, "owned", "a", "a1", "a2")
	putLines(t, kc, "owned", "b", "b1")
	return srv
}

// requireServes checks that srv still takes writes and reads back everything it was given.
func requireServes(t *testing.T, srv *serverProc) {
	t.Helper()
	kc := newClient(srv.Endpoint)
	putLines(t, kc, "owned", "a", "a3")
	var got []string
	for _, r := range readStream(t, kc, "owned") {
		got = append(got, r.Data)
	}
	require.ElementsMatch(t, []string{"a1", "a2", "a3", "b1"}, got, "records read back from the first server")
}

// TestServe_SecondOnSameData starts a second server on the data directory of a running one,
// on another port: it exits at once, non-zero, naming the directory and the first server's
// pid, and leaves every file of the directory as it was (the first server's preallocated
// active segments keep their size and bytes), and the first server goes on serving.
func TestServe_SecondOnSameData(t *testing.T) {
	dir := t.TempDir()
	srv := startWithRecords(t, dir)
	before := testutil.TreeState(t, dir)
	requireSegments(t, before, 2)

	code, stderr := runRefusedServe(t, "--listen", "127.0.0.1:0", "--data", dir)
	require.NotEqual(t, 0, code, "exit code of the second server; stderr:\n%s", stderr)
	require.Contains(t, stderr, dir+" is in use by process "+strconv.Itoa(srv.cmd.Process.Pid)+",")
	require.NotContains(t, stderr, "listening")
	require.Equal(t, before, testutil.TreeState(t, dir), "files of the data directory after the second server")

	requireServes(t, srv)
	srv.Stop(t)
}

// TestServe_SecondOnSameAddress starts a second server with the listen address of a running
// one: it fails on the address before it opens the data directory, so nothing in the
// directory changes, whether the directory is the running server's or a new one.
func TestServe_SecondOnSameAddress(t *testing.T) {
	dir := t.TempDir()
	srv := startWithRecords(t, dir)
	addr := srv.Endpoint[len("http://"):]
	before := testutil.TreeState(t, dir)
	requireSegments(t, before, 2)

	code, stderr := runRefusedServe(t, "--listen", addr, "--data", dir)
	require.NotEqual(t, 0, code, "exit code of the second server; stderr:\n%s", stderr)
	require.Contains(t, stderr, "address already in use")
	require.NotContains(t, stderr, "is in use by", "the second server got as far as the data directory")
	require.Equal(t, before, testutil.TreeState(t, dir), "files of the data directory after the second server")

	fresh := filepath.Join(t.TempDir(), "fresh")
	code, stderr = runRefusedServe(t, "--listen", addr, "--data", fresh)
	require.NotEqual(t, 0, code, "exit code of the second server; stderr:\n%s", stderr)
	require.Contains(t, stderr, "address already in use")
	_, err := os.Stat(fresh)
	require.ErrorIs(t, err, fs.ErrNotExist, "the data directory of a server refused its address was created")

	requireServes(t, srv)
	srv.Stop(t)
}

// TestServe_AddressTakenByOther checks the order of start-up against a listener that is not
// shardlog's: the data directory is not created.
func TestServe_AddressTakenByOther(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	dir := filepath.Join(t.TempDir(), "data")
	code, stderr := runRefusedServe(t, "--listen", ln.Addr().String(), "--data", dir)
	require.NotEqual(t, 0, code)
	require.Contains(t, stderr, "address already in use")
	_, err = os.Stat(dir)
	require.ErrorIs(t, err, fs.ErrNotExist, "the data directory of a server refused its address was created")
}
