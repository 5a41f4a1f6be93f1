package stream

import (
	"fmt"
	"math/big"
	mrand "math/rand"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
)

// SetReshardFaults sets the hook called before carrying out a reshard and after each step
// of it; an error from it stops the reshard there, as a crash would. It is exported to the black-box
// tests by this file, which only the test build sees. Set it before any reshard is pending.
func (s *Store) SetReshardFaults(f func(step string) error) { s.faults = f }

// planStream returns an ACTIVE stream of n uniform shards created at second 1000.
func planStream(n int) *StreamInfo {
	return &StreamInfo{
		Name: "s", Incarnation: 1, Region: DefaultRegion, Account: DefaultAccount, Status: StatusActive,
		CreatedMs: 1000 * 1000, RetentionHours: kinesis.DefaultRetentionHours, Mode: ModeProvisioned,
		Encryption: EncryptionNone, ShardLevelMetrics: []string{}, MaxRecordSizeKiB: kinesis.DefaultMaxRecordSizeKiB,
		Tags: []Tag{}, Shards: InitialShards(n, 1000), NextShardIndex: n,
	}
}

// lastSec returns the latest creation or close second of info's shards.
func lastSec(info *StreamInfo) int64 {
	var sec int64
	for _, sh := range info.Shards {
		sec = max(sec, sh.CreatedSec, sh.ClosedSec)
	}
	return sec
}

// mustPlan carries out r on info at base second baseSec as the store does, checks every
// invariant of the result, and returns the new shards.
func mustPlan(t *testing.T, info *StreamInfo, r *Reshard, baseSec int64) []ShardInfo {
	t.Helper()
	first, next := len(info.Shards), info.NextShardIndex
	parents, err := planReshard(info, r, baseSec)
	require.NoError(t, err)
	for _, index := range parents {
		require.True(t, info.Shard(index).Closed, "parent %d closed", index)
		require.Less(t, index, next, "parent %d was a shard before the plan", index)
		require.GreaterOrEqual(t, info.Shard(index).ClosedSec, baseSec, "parent %d closes at the base second or later", index)
	}
	require.NoError(t, info.validate())
	checkLineage(t, info, baseSec)
	checkTimeCoverage(t, info, baseSec-1)
	return info.Shards[first:]
}

// checkLineage checks that the lineage of every shard closed at fromSec or later is exact:
// the two children of a split divide their parent's range between them, and the child of a
// merge has its two adjacent parents' ranges; each child is created the second after its
// parents close, and every closed shard has its children.
func checkLineage(t *testing.T, info *StreamInfo, fromSec int64) {
	t.Helper()
	byParent := map[string][]ShardInfo{}
	for _, sh := range info.Shards {
		for _, id := range []string{sh.ParentID, sh.AdjacentParentID} {
			if id != "" {
				byParent[id] = append(byParent[id], sh)
			}
		}
	}
	for i := range info.Shards {
		sh := &info.Shards[i]
		if sh.Closed && sh.ClosedSec < fromSec {
			continue
		}
		kids := byParent[sh.ID]
		require.Equal(t, kids, children(info, sh), "%s: children", sh.ID)
		if !sh.Closed {
			require.Empty(t, kids, "open shard %s has children", sh.ID)
			continue
		}
		switch len(kids) {
		case 1: // merged
			k := kids[0]
			p, a := info.Shard(mustIndex(t, k.ParentID)), info.Shard(mustIndex(t, k.AdjacentParentID))
			require.True(t, p.HashKeyRange.Adjacent(a.HashKeyRange), "%s: parents %s and %s not adjacent", k.ID, p.ID, a.ID)
			require.Equal(t, p.HashKeyRange.Merge(a.HashKeyRange), k.HashKeyRange, "%s: range of a merge", k.ID)
			require.Equal(t, p.ClosedSec, a.ClosedSec, "%s: parents close together", k.ID)
			require.Equal(t, p.ClosedSec+1, k.CreatedSec, "%s: created after its parents close", k.ID)
		case 2: // split
			a, b := kids[0], kids[1]
			require.Equal(t, sh.ID, a.ParentID)
			require.Equal(t, sh.ID, b.ParentID)
			require.Empty(t, a.AdjacentParentID+b.AdjacentParentID, "%s: children of a split have one parent", sh.ID)
			require.Equal(t, sh.HashKeyRange.Start, a.HashKeyRange.Start, "%s: first child's start", sh.ID)
			require.True(t, a.HashKeyRange.Adjacent(b.HashKeyRange), "%s: children not adjacent", sh.ID)
			require.Equal(t, sh.HashKeyRange.End, b.HashKeyRange.End, "%s: second child's end", sh.ID)
			require.Equal(t, sh.ClosedSec+1, a.CreatedSec)
			require.Equal(t, sh.ClosedSec+1, b.CreatedSec)
		default:
			t.Fatalf("closed shard %s has %d children", sh.ID, len(kids))
		}
	}
}

func mustIndex(t *testing.T, id string) int {
	t.Helper()
	index, err := kinesis.ParseShardID(id)
	require.NoError(t, err)
	return index
}

// checkTimeCoverage checks that at every second from fromSec on, the shards open then cover
// the hash key space exactly once.
func checkTimeCoverage(t *testing.T, info *StreamInfo, fromSec int64) {
	t.Helper()
	var recent []*ShardInfo // the shards open at fromSec or later
	for i := range info.Shards {
		if sh := &info.Shards[i]; !sh.Closed || sh.ClosedSec >= fromSec {
			recent = append(recent, sh)
		}
	}
	for sec := max(fromSec, info.CreatedMs/1000); sec <= lastSec(info)+1; sec++ {
		var open []kinesis.HashKeyRange
		for _, sh := range recent {
			if sh.CreatedSec <= sec && (!sh.Closed || sh.ClosedSec >= sec) {
				open = append(open, sh.HashKeyRange)
			}
		}
		slices.SortFunc(open, func(a, b kinesis.HashKeyRange) int { return a.Start.Compare(b.Start) })
		require.NotEmpty(t, open, "second %d: no shard open", sec)
		require.Equal(t, kinesis.HashKey{}, open[0].Start, "second %d: hash key 0 not covered", sec)
		for i := 1; i < len(open); i++ {
			require.True(t, open[i-1].Adjacent(open[i]), "second %d: open shards overlap or leave a gap at %s", sec, open[i].Start)
		}
		require.Equal(t, kinesis.MaxHashKey, open[len(open)-1].End, "second %d: the end of the space not covered", sec)
	}
}

// requireNearUniform checks that the open shards of info are n shards whose boundaries are
// within 2^64 keys of UniformHashKeyRanges(n)'s.
func requireNearUniform(t *testing.T, info *StreamInfo, n int) {
	t.Helper()
	open := openRanges(info)
	require.Len(t, open, n)
	for i, u := range kinesis.UniformHashKeyRanges(n) {
		require.True(t, near(u.Start, open[i].Start), "shard %d of %d starts at %s, want about %s", i, n, open[i].Start, u.Start)
	}
}

// openRanges returns the hash key ranges of the open shards, in hash key order.
func openRanges(info *StreamInfo) []kinesis.HashKeyRange {
	var out []kinesis.HashKeyRange
	for _, sh := range info.Shards {
		if !sh.Closed {
			out = append(out, sh.HashKeyRange)
		}
	}
	slices.SortFunc(out, func(a, b kinesis.HashKeyRange) int { return a.Start.Compare(b.Start) })
	return out
}

func TestPlanReshard_Scale(t *testing.T) {
	tests := []struct {
		from, to int
		made     int // new shards, intermediate ones included
		closed   int // shards of the stream that close
	}{
		{1, 2, 2, 1},
		{2, 1, 1, 2},
		{2, 4, 4, 2},
		{4, 2, 2, 4},
		{3, 6, 6, 3}, // doubling is one split per shard, although 2·floor(2^128/6) ≠ floor(2^128/3)
		{6, 3, 3, 6},
		{4, 3, 7, 4},  // 2 splits (4 intermediates), then 3 merges
		{3, 4, 8, 3},  // every shard split once, the middle pieces merged in pairs
		{5, 8, 18, 5}, // shards 1 and 3 split twice, through an intermediate each
		{8, 5, 15, 8}, // 4 splits into 12 pieces, merged into 5
		{4, 6, 10, 4},
		{7, 13, -1, -1},
		{13, 7, -1, -1},
		{1000, 2000, 2000, 1000},
		{2000, 1000, 1000, 2000},
		{999, 1000, -1, -1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d_to_%d", tt.from, tt.to), func(t *testing.T) {
			if testing.Short() && tt.from+tt.to > 100 {
				t.Skip("large layout")
			}
			info := planStream(tt.from)
			made := mustPlan(t, info, &Reshard{Kind: ReshardScale, TargetShardCount: tt.to}, 2000)
			requireNearUniform(t, info, tt.to)
			if tt.made >= 0 {
				require.Len(t, made, tt.made)
				closed := 0
				for _, sh := range info.Shards[:tt.from] {
					if sh.Closed {
						closed++
					}
				}
				require.Equal(t, tt.closed, closed)
			}
			again := mustPlan(t, info, &Reshard{Kind: ReshardScale, TargetShardCount: tt.to}, lastSec(info))
			require.Empty(t, again, "scaling to the layout the stream has changes nothing")
		})
	}
}

func TestPlanReshard_ScaleAfterSplits(t *testing.T) {
	info := planStream(2)
	mustPlan(t, info, &Reshard{Kind: ReshardSplit, ShardIndex: 0, NewStartingHashKey: kinesis.HashKey{Lo: 5}}, 1500)
	mustPlan(t, info, &Reshard{Kind: ReshardSplit, ShardIndex: 3, NewStartingHashKey: kinesis.HashKey{Hi: 1 << 62}}, 1600)
	// Open: [0,4], [5, 2^126-1], [2^126, 2^127-1], [2^127, max]: 4 shards, not uniform.
	mustPlan(t, info, &Reshard{Kind: ReshardScale, TargetShardCount: 4}, 1700)
	requireNearUniform(t, info, 4)
	require.Equal(t, kinesis.UniformHashKeyRanges(4), openRanges(info))
}

func TestPlanReshard_SplitAndMerge(t *testing.T) {
	info := planStream(3)
	made := mustPlan(t, info, &Reshard{Kind: ReshardSplit, ShardIndex: 1, NewStartingHashKey: kinesis.HashKey{Hi: 1 << 63}}, 1500)
	require.Len(t, made, 2)
	require.Equal(t, []int{3, 4}, []int{made[0].Index, made[1].Index})
	require.Equal(t, int64(1501), made[0].CreatedSec)
	require.Equal(t, int64(1500), info.Shard(1).ClosedSec)

	made = mustPlan(t, info, &Reshard{Kind: ReshardMerge, ShardIndex: 4, AdjacentShardIndex: 2}, 1600)
	require.Len(t, made, 1)
	require.Equal(t, "shardId-000000000004", made[0].ParentID)
	require.Equal(t, "shardId-000000000002", made[0].AdjacentParentID)
	require.Equal(t, int64(1601), made[0].CreatedSec)

	_, err := planReshard(info, &Reshard{Kind: ReshardMerge, ShardIndex: 0, AdjacentShardIndex: 5}, 1700)
	require.Error(t, err, "not adjacent")
	_, err = planReshard(info, &Reshard{Kind: ReshardSplit, ShardIndex: 1, NewStartingHashKey: kinesis.HashKey{Hi: 1 << 63}}, 1700)
	require.Error(t, err, "a closed shard")
}

// TestPlanReshard_Random runs random splits, merges and scalings, checking after each that
// the open shards cover the hash key space once, at every second, and that lineage is exact.
func TestPlanReshard_Random(t *testing.T) {
	r := testutil.Rand(t)
	rounds := 300
	if testing.Short() {
		rounds = 60
	}
	info := planStream(1 + r.IntN(8))
	for round := range rounds {
		base := lastSec(info) + int64(r.IntN(3))
		op := randomReshard(r, info)
		t.Logf("round %d: %+v at %d", round, *op, base)
		mustPlan(t, info, op, base)
		if op.Kind == ReshardScale {
			requireNearUniform(t, info, op.TargetShardCount)
		}
	}
}

// randomReshard returns a random reshard of info's open shards.
func randomReshard(r *rand.Rand, info *StreamInfo) *Reshard {
	var open []ShardInfo
	for _, sh := range info.Shards {
		if !sh.Closed {
			open = append(open, sh)
		}
	}
	slices.SortFunc(open, func(a, b ShardInfo) int { return a.HashKeyRange.Start.Compare(b.HashKeyRange.Start) })
	n := len(open)
	switch k := r.IntN(3); {
	case k == 0 && n < 40:
		sh := open[r.IntN(n)]
		if key, ok := randomSplitKey(r, sh.HashKeyRange); ok {
			return &Reshard{Kind: ReshardSplit, ShardIndex: sh.Index, NewStartingHashKey: key}
		}
	case k == 1 && n > 1:
		i := r.IntN(n - 1)
		return &Reshard{Kind: ReshardMerge, ShardIndex: open[i].Index, AdjacentShardIndex: open[i+1].Index}
	}
	lo, hi := (n+1)/2, min(2*n, 40)
	return &Reshard{Kind: ReshardScale, TargetShardCount: lo + r.IntN(hi-lo+1)}
}

// randomSplitKey returns a key SplitShard accepts for rng (Start+1 < key < End), or false
// if the range is too small to have one.
func randomSplitKey(r *rand.Rand, rng kinesis.HashKeyRange) (kinesis.HashKey, bool) {
	start, end := toBig(rng.Start), toBig(rng.End)
	width := new(big.Int).Sub(end, start) // keys strictly between Start+1 and End: width-2
	width.Sub(width, big.NewInt(2))
	if width.Sign() <= 0 {
		return kinesis.HashKey{}, false
	}
	off := new(big.Int).Rand(mrand.New(mrand.NewSource(r.Int64())), width)
	key := off.Add(off, start).Add(off, big.NewInt(2))
	return kinesis.HashKey{Hi: new(big.Int).Rsh(key, 64).Uint64(), Lo: key.Uint64()}, true
}

func toBig(h kinesis.HashKey) *big.Int {
	x := new(big.Int).SetUint64(h.Hi)
	return x.Lsh(x, 64).Or(x, new(big.Int).SetUint64(h.Lo))
}

// BenchmarkPlanReshard measures the planning of UpdateShardCount, with and without
// intermediate shards.
func BenchmarkPlanReshard(b *testing.B) {
	for _, tc := range []struct{ from, to int }{{500, 1000}, {1000, 500}, {999, 1000}, {5000, 10000}} {
		b.Run(fmt.Sprintf("from=%d/to=%d", tc.from, tc.to), func(b *testing.B) {
			info := planStream(tc.from)
			r := &Reshard{Kind: ReshardScale, TargetShardCount: tc.to}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := planReshard(info.clone(), r, 2000); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "plans/s")
		})
	}
}
