package stream_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// TestStore_Reshard_Random runs random splits, merges and scalings on a store, with writes
// before, during and after each, and restarts now and then, some while a reshard is
// pending. After each reshard the open shards cover the hash key space once, now and (by
// ListShards AT_TIMESTAMP) at every second since the stream began, every child's numbers
// sort after its parents', and a consumer that follows the lineage reads every record once,
// in order per key. Replay a failure with -seed.
func TestStore_Reshard_Random(t *testing.T) {
	r := testutil.Rand(t)
	rounds := 24
	if testing.Short() {
		rounds = 8
	}
	c := newClock()
	opts := crashOptions(c)
	opts.UpdateDelay = time.Second
	dir := t.TempDir()
	s := mustOpenDir(t, dir, opts)
	mustCreate(t, s, "a", 1+r.IntN(4))
	written := map[string]int{}
	scalings := 0
	for round := range rounds {
		writeRandom(t, r, s, written)
		op := randomOp(t, r, s, scalings < stream.MaxScalingsPerDay)
		t.Logf("round %d: %s", round, op.name)
		require.NoError(t, op.do(), op.name)
		if op.scale {
			scalings++
		}
		writeRandom(t, r, s, written) // to the parents, the stream UPDATING
		if r.IntN(4) == 0 {
			require.NoError(t, s.Close())
			s = mustOpenDir(t, dir, opts)
		}
		c.Advance(time.Second + time.Duration(r.IntN(1500))*time.Millisecond)
		writeRandom(t, r, s, written)
		info, err := s.DescribeStreamSummary("a")
		require.NoError(t, err)
		require.Equal(t, stream.StatusActive, info.Status)
		requireOpenShardsCover(t, s, "a")
		requireCoverAtEverySecond(t, s, "a", info.CreatedMs, c.Ms())
		requireChildrenSortAfterParents(t, info)
		requireExactlyOnceInOrder(t, readByLineage(t, s, "a"), written)
	}
}

// writeRandom writes up to 24 records over keys k0 to k5.
func writeRandom(t testing.TB, r *rand.Rand, s *stream.Store, written map[string]int) {
	t.Helper()
	writeKeyed(t, s, "a", r.IntN(25), written)
}

// reshardOp is a reshard to make, with its description.
type reshardOp struct {
	do    func() error
	name  string
	scale bool // an UpdateShardCount
}

// randomOp returns a random valid reshard of stream a; scale allows UpdateShardCount.
func randomOp(t testing.TB, r *rand.Rand, s *stream.Store, scale bool) reshardOp {
	t.Helper()
	shards, _, err := s.ListShards(stream.ListShardsRequest{StreamName: "a", Filter: &stream.ShardFilter{Type: stream.FilterAtLatest}})
	require.NoError(t, err)
	slices.SortFunc(shards, func(a, b stream.ShardInfo) int { return a.HashKeyRange.Start.Compare(b.HashKeyRange.Start) })
	n := len(shards)
	for {
		switch k := r.IntN(3); {
		case k == 0 && n < 12:
			sh := shards[r.IntN(n)]
			key, ok := splitKey(r, sh.HashKeyRange)
			if !ok {
				continue
			}
			return reshardOp{func() error { return s.SplitShard("a", sh.ID, key) }, fmt.Sprintf("SplitShard %s at %s", sh.ID, key), false}
		case k == 1 && n > 1:
			i := r.IntN(n - 1)
			a, b := shards[i].ID, shards[i+1].ID
			return reshardOp{func() error { return s.MergeShards("a", a, b) }, fmt.Sprintf("MergeShards %s %s", a, b), false}
		case k == 2 && scale:
			target := (n+1)/2 + r.IntN(min(2*n, 12)-(n+1)/2+1)
			do := func() error { _, err := s.UpdateShardCount("a", target); return err }
			return reshardOp{do, fmt.Sprintf("UpdateShardCount %d to %d", n, target), true}
		}
	}
}

// splitKey returns a NewStartingHashKey that SplitShard accepts for rng, in decimal, or
// false if the range has none.
func splitKey(r *rand.Rand, rng kinesis.HashKeyRange) (string, bool) {
	start, _ := new(big.Int).SetString(rng.Start.String(), 10)
	end, _ := new(big.Int).SetString(rng.End.String(), 10)
	width := new(big.Int).Sub(end, start) // keys in (Start+1, End): width-2 of them
	width.Sub(width, big.NewInt(2))
	if width.Sign() <= 0 {
		return "", false
	}
	// A random fraction of the width, in 1/2^32 steps, keeps the pieces of a reasonable size.
	off := new(big.Int).Mul(width, big.NewInt(int64(r.Uint32())))
	off.Rsh(off, 32)
	return off.Add(off, start).Add(off, big.NewInt(2)).String(), true
}

// requireCoverAtEverySecond checks that for every second from fromMs to toMs, the shards
// ListShards AT_TIMESTAMP returns cover the hash key space exactly once.
func requireCoverAtEverySecond(t testing.TB, s *stream.Store, name string, fromMs, toMs int64) {
	t.Helper()
	for ms := fromMs; ms <= toMs; ms += 1000 {
		shards, _, err := s.ListShards(stream.ListShardsRequest{StreamName: name,
			Filter: &stream.ShardFilter{Type: stream.FilterAtTimestamp, Timestamp: time.UnixMilli(ms)}})
		require.NoError(t, err)
		slices.SortFunc(shards, func(a, b stream.ShardInfo) int { return a.HashKeyRange.Start.Compare(b.HashKeyRange.Start) })
		require.NotEmpty(t, shards, "at %d", ms)
		require.Equal(t, kinesis.HashKey{}, shards[0].HashKeyRange.Start, "at %d", ms)
		for i := 1; i < len(shards); i++ {
			require.True(t, shards[i-1].HashKeyRange.Adjacent(shards[i].HashKeyRange),
				"at %d: shards %s and %s overlap or leave a gap", ms, shards[i-1].ID, shards[i].ID)
		}
		require.Equal(t, kinesis.MaxHashKey, shards[len(shards)-1].HashKeyRange.End, "at %d", ms)
	}
}

// requireChildrenSortAfterParents checks that every shard's StartingSequenceNumber sorts
// after its parents' EndingSequenceNumber.
func requireChildrenSortAfterParents(t testing.TB, info stream.StreamInfo) {
	t.Helper()
	byID := map[string]stream.ShardInfo{}
	for _, sh := range info.Shards {
		byID[sh.ID] = sh
	}
	for _, sh := range info.Shards {
		for _, id := range []string{sh.ParentID, sh.AdjacentParentID} {
			if p, ok := byID[id]; ok {
				end, closed := p.EndingSequenceNumber()
				require.True(t, closed, "parent %s of %s is open", id, sh.ID)
				require.Equal(t, 1, sh.StartingSequenceNumber().Compare(end), "%s starts before its parent %s ends", sh.ID, id)
			}
		}
	}
}
