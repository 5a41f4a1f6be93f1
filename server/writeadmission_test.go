package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

// writeGate is a backend hook that holds every write inside the backend until the test
// lets one go, and counts the writes inside at once.
type writeGate struct {
	arrived chan string   // "run" when a write reaches the backend, "wait" when one waits for a slot
	pass    chan struct{} // one send lets one write out of the backend
	mu      sync.Mutex
	inside  int
	most    int
}

func newWriteGate() *writeGate {
	return &writeGate{arrived: make(chan string, 64), pass: make(chan struct{})}
}

func (g *writeGate) hook(op string, _ any) {
	if op != "PutRecords" && op != "PutRecord" {
		return
	}
	g.mu.Lock()
	g.inside++
	g.most = max(g.most, g.inside)
	g.mu.Unlock()
	g.arrived <- "run"
	<-g.pass
	g.mu.Lock()
	g.inside--
	g.mu.Unlock()
}

func (g *writeGate) mostInside() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.most
}

// TestServer_MaxWritesInFlight shows that no more than MaxWritesInFlight writes are
// decoded and run at once: the others wait, undecoded, until a slot is free, and every
// one of them is then written and answered. Without the bound all of them run at once.
func TestServer_MaxWritesInFlight(t *testing.T) {
	const slots, writers = 2, 8
	g := newWriteGate()
	s, b := mustNew(t, server.WithWriteWaitHook(server.Options{MaxWritesInFlight: slots},
		func() { g.arrived <- "wait" }))
	b.hook = g.hook

	answers := make(chan int, writers)
	for i := range writers {
		op, body := "PutRecords", `{"StreamName":"s","Records":[{"Data":"AAAA","PartitionKey":"k"}]}`
		if i%2 == 1 {
			op, body = "PutRecord", `{"StreamName":"s","Data":"AAAA","PartitionKey":"k"}`
		}
		go func() { answers <- do(t, s, op, body).Code }()
	}
	counts := map[string]int{}
	for range writers {
		counts[<-g.arrived]++
	}
	require.Equal(t, map[string]int{"run": slots, "wait": writers - slots}, counts,
		"writes in the backend and writes waiting for a slot, once all %d have arrived", writers)

	// Each write let out frees a slot for one that waits; none ever joins the two inside.
	for range writers - slots {
		g.pass <- struct{}{}
		require.Equal(t, "run", <-g.arrived)
		require.Equal(t, http.StatusOK, <-answers)
	}
	for range slots {
		g.pass <- struct{}{}
		require.Equal(t, http.StatusOK, <-answers)
	}
	require.Equal(t, slots, g.mostInside(), "writes in the backend at once")
	require.Equal(t, writers, b.callCount())

	// Other operations never take a slot: with both slots held, a DescribeStream is answered.
	for range slots {
		go func() { answers <- do(t, s, "PutRecord", `{"StreamName":"s","Data":"AAAA","PartitionKey":"k"}`).Code }()
	}
	for range slots {
		require.Equal(t, "run", <-g.arrived)
	}
	require.Equal(t, http.StatusOK, do(t, s, "DescribeStream", `{"StreamName":"s"}`).Code)

	// A write whose client goes away while it waits leaves without running and without
	// taking a slot: the slots still serve the next writes.
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/",
			strings.NewReader(`{"StreamName":"s","Data":"AAAA","PartitionKey":"k"}`))
		s.ServeHTTP(httptest.NewRecorder(), signed(r, "PutRecord"))
	}()
	require.Equal(t, "wait", <-g.arrived)
	cancel()
	<-gone
	calls := b.callCount()
	for range slots {
		g.pass <- struct{}{}
		require.Equal(t, http.StatusOK, <-answers)
	}
	require.Equal(t, calls, b.callCount(), "the write whose client went away reached the backend")
	go func() { answers <- do(t, s, "PutRecord", `{"StreamName":"s","Data":"AAAA","PartitionKey":"k"}`).Code }()
	require.Equal(t, "run", <-g.arrived)
	g.pass <- struct{}{}
	require.Equal(t, http.StatusOK, <-answers)
}
