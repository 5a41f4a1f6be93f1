package shard_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/shard"
)

// TestSyncer_WritersReadyJoinTheRound: with one P (GOMAXPROCS=1, as when the server is
// pinned to one CPU), writers that are ready to run when a round begins join that round.
// An fdatasync is a system call that keeps the P until the runtime's monitor takes it back,
// which for a sync of well under its 10 ms tick it seldom does: a leader that went straight
// into its fdatasync ran its round alone, the next ready writer then led a round of its own,
// and so on, one fdatasync per write however many writers were waiting to run (PutRecord at
// 512 connections: about one fdatasync per call). The leader now yields once before it
// takes the round's shards, so the ready writers write and join first.
func TestSyncer_WritersReadyJoinTheRound(t *testing.T) {
	const writers = 64
	y := shard.NewSyncer()
	s := mustOpen(t, t.TempDir(), shard.Options{Syncer: y})
	_, _, err := s.Append(batch(0, 1, 40)) // the first write's manifest update
	require.NoError(t, err)
	syncs0, rounds0 := s.Stats().Syncs, y.RoundsDone()

	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	start := make(chan struct{})
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			<-start
			_, _, errs[w] = s.Append(batch(uint64(1+w), 1, 40))
		})
	}
	close(start) // every writer is ready to run; none has written yet
	wg.Wait()
	for w, err := range errs {
		require.NoError(t, err, "writer %d", w)
	}

	syncs, rounds := s.Stats().Syncs-syncs0, y.RoundsDone()-rounds0
	t.Logf("%d writers ready at once: %d rounds, %d fdatasyncs", writers, rounds, syncs)
	require.LessOrEqual(t, syncs, uint64(writers/8), "fdatasyncs for %d writers that were all ready to run", writers)
	require.Len(t, readAll(t, s, 0), 1+writers)
}
