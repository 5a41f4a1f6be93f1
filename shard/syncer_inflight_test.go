package shard_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/durable"
	"github.com/shardlog/shardlog/shard"
)

// syncGate is a durable.Watcher that holds the first `hold` fdatasyncs of files under root
// until the test releases each one: entered receives a value as each held sync starts.
type syncGate struct {
	root    string
	hold    atomic.Int32
	entered chan struct{}
	release chan struct{}
}

func (g *syncGate) Syncing(fd int, dir string) (func(error), error) {
	if dir != "" {
		return nil, nil
	}
	path, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	if err != nil || !strings.HasPrefix(path, g.root+string(filepath.Separator)) || g.hold.Add(-1) < 0 {
		return nil, nil
	}
	g.entered <- struct{}{}
	<-g.release
	return nil, nil
}

// await polls cond until it holds, failing the test after 10 s.
func await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSyncer_RoundInFlightCoversEarlierWrite: a batch written before a round began is
// covered by that round, even when its writer starts waiting only after the round began;
// the writer returns when that round ends instead of waiting for one more round (and one
// more fdatasync). This is the latency of a PutRecords request whose last shard's write
// finishes just as a round starts.
func TestSyncer_RoundInFlightCoversEarlierWrite(t *testing.T) {
	if _, err := os.Readlink("/proc/self/fd/0"); err != nil {
		t.Skip("needs /proc/self/fd to tell the shard's syncs from others")
	}
	root := t.TempDir()
	y := shard.NewSyncer()
	s := mustOpen(t, filepath.Join(root, "s"), shard.Options{Syncer: y})
	_, _, err := s.Append(batch(0, 1, 40)) // the first write's manifest update, before the gate
	require.NoError(t, err)
	rounds0, syncs0 := y.RoundsDone(), s.Stats().Syncs

	g := &syncGate{root: root, entered: make(chan struct{}), release: make(chan struct{})}
	g.hold.Store(2)
	t.Cleanup(durable.Watch(g))

	waitFor := func(next uint64) <-chan error {
		done := make(chan error, 1)
		go func() { done <- s.WaitDurable(next) }()
		return done
	}
	write := func(id uint64) uint64 {
		first, _, err := s.Write(batch(id, 1, 40))
		require.NoError(t, err)
		return first + 1
	}

	a := waitFor(write(1)) // leads round 1, held in its fdatasync
	<-g.entered
	c := waitFor(write(2)) // waits for the round after round 1
	await(t, "c waits for the next round", func() bool { return y.Pending() == 1 })
	b := write(3) // written while round 1 runs: round 1 does not cover it, round 2 will

	g.release <- struct{}{} // round 1 ends; c leads round 2, which takes b's write along
	require.NoError(t, <-a)
	<-g.entered
	bDone := waitFor(b) // b starts waiting only now, while round 2 runs
	await(t, "b waits", func() bool { return y.Pending() == 1 })
	g.release <- struct{}{}
	require.NoError(t, <-c)
	require.NoError(t, <-bDone)

	require.EqualValues(t, 2, y.RoundsDone()-rounds0, "rounds run: round 2 began after b's write and covers it")
	require.EqualValues(t, 2, s.Stats().Syncs-syncs0, "fdatasyncs")
	require.Len(t, readAll(t, s, 0), 4)
}
