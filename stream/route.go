package stream

import (
	"fmt"
	"slices"

	"github.com/shardlog/shardlog/kinesis"
)

// Router finds the open shard that owns a hash key: the write path of PutRecords. It is
// built from a stream's shards and is immutable, so it may be shared by any number of
// goroutines; a reshard builds a new one.
type Router struct {
	starts  []kinesis.HashKey // the StartingHashKey of each open shard, ascending
	indexes []int             // the shard index that owns starts[i] up to starts[i+1]-1
}

// NewRouter returns the Router of the open shards among shards, which must cover the hash
// key space exactly once (as a valid StreamInfo's do). It panics if they do not.
func NewRouter(shards []ShardInfo) *Router {
	var open []ShardInfo
	for _, sh := range shards {
		if !sh.Closed {
			open = append(open, sh)
		}
	}
	slices.SortFunc(open, func(a, b ShardInfo) int { return a.HashKeyRange.Start.Compare(b.HashKeyRange.Start) })
	r := &Router{starts: make([]kinesis.HashKey, len(open)), indexes: make([]int, len(open))}
	next := kinesis.HashKey{}
	for i, sh := range open {
		if sh.HashKeyRange.Start != next || i > 0 && next == (kinesis.HashKey{}) {
			panic(fmt.Sprintf("stream: NewRouter: open shards do not cover the hash key space at %s", next))
		}
		r.starts[i], r.indexes[i] = sh.HashKeyRange.Start, sh.Index
		next = sh.HashKeyRange.End.Next()
	}
	if len(open) == 0 || next != (kinesis.HashKey{}) {
		panic("stream: NewRouter: open shards do not reach the end of the hash key space")
	}
	return r
}

// Route returns the index of the open shard whose hash key range contains h.
func (r *Router) Route(h kinesis.HashKey) int {
	return r.indexes[r.position(h)]
}

// position returns the place, in hash key order, of the open shard whose hash key range
// contains h.
func (r *Router) position(h kinesis.HashKey) int {
	// Find the last start at or below h; starts[0] is 0, so there is one.
	lo, hi := 0, len(r.starts) // starts[lo] <= h < starts[hi], with starts[len] taken as 2^128
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		if s := r.starts[mid]; s.Hi < h.Hi || s.Hi == h.Hi && s.Lo <= h.Lo {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// Nth returns the index of the open shard at position n, modulo the open shard count, in
// hash key order: asking for n = 0, 1, 2, … deals records out evenly (DistributionAuto).
func (r *Router) Nth(n uint64) int {
	return r.indexes[n%uint64(len(r.indexes))]
}
