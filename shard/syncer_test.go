package shard_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/shard"
)

// TestSyncer_SharedRounds appends to several shards that share a Syncer the way a
// PutRecords request spread over shards does: each writer appends one batch to every shard
// at once and waits for all of them. Every acknowledged batch must be readable, intact and
// where its offsets say, and the shards must have shared their syncs (fewer fdatasyncs than
// appends). Run it with -race.
func TestSyncer_SharedRounds(t *testing.T) {
	const shards, writers, perBatch = 4, 8, 5
	batches := 40
	if testing.Short() {
		batches = 15
	}
	y := shard.NewSyncer()
	var ss []*shard.Shard
	for range shards {
		ss = append(ss, mustOpen(t, t.TempDir(), shard.Options{Syncer: y, MaxSegmentBytes: 16 << 10}))
	}

	type ack struct{ first, id uint64 }
	acks := make([][]ack, shards) // per shard
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, writers*shards)
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				id := uint64(w*batches+b) * perBatch
				var each sync.WaitGroup
				for i, s := range ss {
					each.Go(func() {
						first, _, err := s.Append(batch(id, perBatch, 40))
						if err != nil {
							errs <- fmt.Errorf("shard %d: Append: %w", i, err)
							return
						}
						mu.Lock()
						acks[i] = append(acks[i], ack{first, id})
						mu.Unlock()
					})
				}
				each.Wait()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	var syncs, appends uint64
	for i, s := range ss {
		got := readAll(t, s, 0)
		require.Len(t, got, writers*batches*perBatch, "records of shard %d", i)
		for _, a := range acks[i] {
			for k := range uint64(perBatch) {
				want := record(a.id+k, 40)
				r := got[a.first+k]
				require.Equal(t, a.first+k, r.Offset)
				require.Equal(t, want.Data, r.Data, "shard %d offset %d", i, a.first+k)
				require.Equal(t, want.PartitionKey, r.PartitionKey, "shard %d offset %d", i, a.first+k)
			}
		}
		st := s.Stats()
		syncs += st.Syncs
		appends += st.Appends
	}
	require.EqualValues(t, shards*writers*batches, appends)
	require.Less(t, syncs, appends, "rounds share fdatasyncs among the batches waiting for them")
	t.Logf("%d appends, %d fdatasyncs over %d shards", appends, syncs, shards)
}

// TestSyncer_DurableBeforeVisible checks, through a shared Syncer, what SyncAlways promises
// readers: a record is readable once its Append has returned, and the tip never runs ahead
// of what has been acknowledged as durable by some Append.
func TestSyncer_DurableBeforeVisible(t *testing.T) {
	y := shard.NewSyncer()
	s := mustOpen(t, t.TempDir(), shard.Options{Syncer: y})
	for i := range uint64(20) {
		first, _, err := s.Append(batch(i*3, 3, 10))
		require.NoError(t, err)
		require.Equal(t, i*3, first)
		require.Equal(t, first+3, s.NextOffset(), "after Append(%d) returns its records are readable", i)
	}
	require.Len(t, readAll(t, s, 0), 60)
}

// TestShard_WriteThenWaitAll: Write returns before the batch is durable, and under
// SyncAlways readers do not see it until a wait has made it so; WaitAll makes the batches of
// several shards durable at once, whether or not they share a Syncer.
func TestShard_WriteThenWaitAll(t *testing.T) {
	y := shard.NewSyncer()
	ss := []*shard.Shard{
		mustOpen(t, t.TempDir(), shard.Options{Syncer: y}),
		mustOpen(t, t.TempDir(), shard.Options{Syncer: y}),
		mustOpen(t, t.TempDir(), shard.Options{}),                     // syncs on its own
		mustOpen(t, t.TempDir(), shard.Options{Sync: shard.SyncNone}), // nothing to wait for
	}
	waits := make([]uint64, len(ss))
	for i, s := range ss {
		first, _, err := s.Write(batch(uint64(i*10), 3, 20))
		require.NoError(t, err)
		require.Zero(t, first)
		waits[i] = first + 3
		if i < 3 {
			require.Zero(t, s.NextOffset(), "shard %d: a written batch is not visible before it is durable", i)
		}
	}
	errs := make([]error, len(ss))
	shard.WaitAll(ss, waits, errs)
	for i, s := range ss {
		require.NoError(t, errs[i], "shard %d", i)
		require.EqualValues(t, 3, s.NextOffset(), "shard %d", i)
		got := readAll(t, s, 0)
		require.Len(t, got, 3)
		require.Equal(t, record(uint64(i*10+2), 20).Data, got[2].Data)
	}

	_, _, err := ss[0].Write(nil)
	require.ErrorIs(t, err, shard.ErrEmptyBatch)
}
