package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// serveAt starts a server over dir on addr ("127.0.0.1:0" for any port) that counts the
// requests it answers, as serveInProcess does. Stop shuts it down and closes its store, once
// (the test's cleanup does if the test does not). A server started again on the same address
// and directory is a restart.
func serveAt(t *testing.T, dir, addr string) *inProcess {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := stream.Open(dir, stream.Options{Logger: log})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	p := &inProcess{Endpoint: "http://" + ln.Addr().String(), Dir: dir, answered: map[string]int{}, changed: make(chan struct{})}
	h := server.New(streambackend.New(store), server.Options{Logger: log})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		p.count(r.Header.Get("X-Amz-Target"))
	})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln)
	}()
	p.stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		<-served
		require.NoError(t, store.Close())
	}
	t.Cleanup(p.Stop)
	return p
}

// syncBuffer is an output a command writes on one goroutine while the test reads it on
// another, and can await.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed, and replaced, on every write
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{})} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.changed)
	b.changed = make(chan struct{})
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// await waits until the output contains s, or fails the test after timeout.
func (b *syncBuffer) await(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		b.mu.Lock()
		got, changed := b.buf.String(), b.changed
		b.mu.Unlock()
		if strings.Contains(got, s) {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("output has no %q after %v:\n%s", s, timeout, got)
		}
	}
}

// TestTail_ReconnectsAfterRestart restarts the server under a running tail, with records
// written before and after, and expects every record printed once, in order: the tail
// waits for the server and resumes after the last record it printed.
func TestTail_ReconnectsAfterRestart(t *testing.T) {
	dir := t.TempDir()
	srv := serveAt(t, dir, "127.0.0.1:0")
	endpoint := srv.Endpoint
	kc := mustCreate(t, endpoint, "restart", 2)
	putLines(t, kc, "restart", "k", "a", "b", "c")
	putLines(t, kc, "restart", "other", "x")

	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	done := make(chan int, 1)
	cfg := tailConfig{backoff: 10 * time.Millisecond, maxBackoff: 100 * time.Millisecond}
	go func() {
		done <- runTailWith(cfg, []string{"--endpoint", endpoint, "--stream", "restart", "--poll", "10ms", "--count", "7"}, stdout, stderr)
	}()
	stdout.await(t, "c\n", 15*time.Second)
	stdout.await(t, "x\n", 15*time.Second)
	srv.Stop()
	stderr.await(t, "reconnecting", 30*time.Second)

	endpoint = serveAt(t, dir, strings.TrimPrefix(endpoint, "http://")).Endpoint
	kc = newClient(endpoint)
	putLines(t, kc, "restart", "k", "d", "e")
	putLines(t, kc, "restart", "other", "y")
	select {
	case code := <-done:
		require.Equal(t, 0, code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("tail did not print the 7 records within 30 s of the restart; stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	got := lines(stdout.String())
	require.ElementsMatch(t, []string{"a", "b", "c", "x", "d", "e", "y"}, got, "every record once")
	require.Equal(t, []string{"a", "b", "c", "d", "e"}, filter(got, "a", "b", "c", "d", "e"), "one key keeps its order")
	require.Contains(t, stderr.String(), "shardlog tail: lost "+endpoint)
	require.Contains(t, stderr.String(), "shardlog tail: reconnected to "+endpoint)
}

// filter returns the elements of s that are among keep, in order.
func filter(s []string, keep ...string) []string {
	var out []string
	for _, x := range s {
		if indexOf(keep, x) >= 0 {
			out = append(out, x)
		}
	}
	return out
}

// TestTail_ReconnectsFromLatest: a tail started at LATEST that has printed nothing yet when
// the server restarts still prints the records written while it was away, rather than
// starting at a new LATEST after them.
func TestTail_ReconnectsFromLatest(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	srv := serveAt(t, dir, "127.0.0.1:0")
	endpoint := srv.Endpoint
	kc := mustCreate(t, endpoint, "latest", 1)
	putLines(t, kc, "latest", "k", "before")

	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	done := make(chan int, 1)
	// The first retry comes 3 s after the server is found away: time enough to restart it
	// and write, so that a tail resuming at LATEST would miss what was written.
	cfg := tailConfig{backoff: 3 * time.Second, maxBackoff: 3 * time.Second}
	go func() {
		done <- runTailWith(cfg, []string{"--endpoint", endpoint, "--stream", "latest", "--from", "latest", "--poll", "10ms", "--count", "2"}, stdout, stderr)
	}()
	srv.awaitAnswered(t, "GetRecords", 1, 15*time.Second) // the tail reads from its LATEST iterator
	srv.Stop()
	stderr.await(t, "reconnecting", 30*time.Second)
	endpoint = serveAt(t, dir, strings.TrimPrefix(endpoint, "http://")).Endpoint
	putLines(t, newClient(endpoint), "latest", "k", "while away 1", "while away 2")
	select {
	case code := <-done:
		require.Equal(t, 0, code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("tail did not print the 2 records written while it was away; stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	require.Equal(t, []string{"while away 1", "while away 2"}, lines(stdout.String()))
}
