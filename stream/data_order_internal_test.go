package stream

import (
	"slices"
	"testing"

	"github.com/shardlog/shardlog/internal/testutil"
)

// TestBatcher_OrderByShard checks the counting order against the stable sort it replaces,
// on random requests to 1 to 20 shards (past maxCountedShards, the sort itself), with
// distinct shard indexes in no particular order.
func TestBatcher_OrderByShard(t *testing.T) {
	r := testutil.Rand(t)
	for round := range 2000 {
		logs := make([]*shardLog, 1+r.IntN(20))
		indexes := r.Perm(10000) // the shards of a stream have distinct indexes
		for i := range logs {
			logs[i] = &shardLog{index: int32(indexes[i])}
		}
		n := 1 + r.IntN(500)
		b := new(batcher)
		for i := range n {
			b.shards = append(b.shards, logs[r.IntN(len(logs))])
			b.order = append(b.order, int32(i))
		}
		want := slices.Clone(b.order)
		slices.SortStableFunc(want, func(x, y int32) int { return int(b.shards[x].index) - int(b.shards[y].index) })
		b.orderByShard()
		if !slices.Equal(b.order, want) {
			t.Fatalf("round %d (%d entries, %d shards): orderByShard = %v, want %v", round, n, len(logs), b.order, want)
		}
	}
}
