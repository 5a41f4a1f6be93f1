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

// serveAt starts a server over dir on addr ("127.0.0.1:0" for any port) and returns its
// endpoint and a stop function that shuts it down and closes its store, once (the test's
// cleanup does if the test does not). A server started again on the same address and
// directory is a restart.
func serveAt(t *testing.T, dir, addr string) (endpoint string, stop func()) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := stream.Open(dir, stream.Options{Logger: log})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	srv := &http.Server{Handler: server.New(streambackend.New(store), server.Options{Logger: log})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			require.NoError(t, srv.Shutdown(ctx))
			<-served
			require.NoError(t, store.Close())
		})
	}
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), stop
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
	endpoint, stop := serveAt(t, dir, "127.0.0.1:0")
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
	stop()
	stderr.await(t, "reconnecting", 30*time.Second)

	endpoint, _ = serveAt(t, dir, strings.TrimPrefix(endpoint, "http://"))
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
