package stream

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/shardlog/shardlog/kinesis"
)

// Planning a reshard. Every reshard is worked out as a sequence of AWS's two operations:
// a split, which closes one shard and makes two children naming it as ParentShardId, and
// a merge, which closes two adjacent shards and makes one child naming them as
// ParentShardId and AdjacentParentShardId. So a shard's lineage is always exact: its
// parents' ranges are its own range (merge) or contain it (split), and a consumer that
// finishes every parent before its children reads each hash key's records in order.
//
// UpdateShardCount (UNIFORM_SCALING) first splits each open shard at the target layout's
// boundaries that fall inside it, then merges the pieces that fall in each target range.
// A shard that needs more than one split, or a piece that needs more than one merge, goes
// through intermediate shards, as on AWS ("short-lived shards"); they are closed as soon as
// they are made and hold no records. Splits and merges are balanced (halving the boundaries
// or pairing the pieces), so that a chain of intermediates is as short as it can be.
//
// Times: the open shards close at a base second; a shard made by a split or a merge is
// created the second after its parents close, and is closed, if it is an intermediate,
// when the operation that consumes it runs. A merge closes both parents at the later of
// the two seconds they are ready. So at every second the shards open then (created at or
// before it, closed at or after it) cover the hash key space exactly once, which is what
// ListShards' timestamp filters rely on, and every child's sequence numbers sort after its
// parents'.

// planner carries out a reshard's splits and merges on a copy of the stream's info.
type planner struct {
	info     *StreamInfo
	firstNew int   // the index of the first shard the plan makes
	base     int64 // the second the stream's open shards close
	parents  []int // indexes of the stream's open shards that the plan closes
}

// piece is a shard that is open during planning: its index, its range, and the second
// from which it may be closed (base for a shard that was open, else its creation second).
type piece struct {
	index int
	rng   kinesis.HashKeyRange
	ready int64
}

// planReshard works out r on info, whose open shards close at baseSec: it marks the
// shards it closes (Closed and ClosedSec; the EndOffset of a shard that was open is left to
// the caller, which knows its log), appends the shards it makes, closing the intermediate
// ones, and returns the indexes of the shards that were open and are closed. A plan that
// makes no shard changes nothing.
func planReshard(info *StreamInfo, r *Reshard, baseSec int64) ([]int, error) {
	p := &planner{info: info, firstNew: info.NextShardIndex, base: baseSec}
	switch r.Kind {
	case ReshardSplit:
		a, err := p.openPiece(r.ShardIndex)
		if err != nil {
			return nil, err
		}
		if _, _, ok := a.rng.Split(r.NewStartingHashKey); !ok {
			return nil, fmt.Errorf("stream %s: split of shard %d at %s: not inside its range", info.Name, r.ShardIndex, r.NewStartingHashKey)
		}
		p.split(a, r.NewStartingHashKey)
	case ReshardMerge:
		a, err := p.openPiece(r.ShardIndex)
		if err != nil {
			return nil, err
		}
		b, err := p.openPiece(r.AdjacentShardIndex)
		if err != nil {
			return nil, err
		}
		if !a.rng.Adjacent(b.rng) {
			return nil, fmt.Errorf("stream %s: merge of shards %d and %d, which are not adjacent", info.Name, a.index, b.index)
		}
		p.merge(a, b)
	case ReshardScale:
		p.scale(r.TargetShardCount)
	default:
		return nil, fmt.Errorf("stream %s: unknown reshard kind %q", info.Name, r.Kind)
	}
	return p.parents, nil
}

// openPiece returns the open shard with the given index as a piece.
func (p *planner) openPiece(index int) (piece, error) {
	sh := p.info.Shard(index)
	if sh == nil || sh.Closed {
		return piece{}, fmt.Errorf("stream %s: shard %d is not an open shard", p.info.Name, index)
	}
	return piece{index: index, rng: sh.HashKeyRange, ready: p.base}, nil
}

// openPieces returns the open shards as pieces, in hash key order.
func (p *planner) openPieces() []piece {
	var out []piece
	for _, sh := range p.info.Shards {
		if !sh.Closed {
			out = append(out, piece{index: sh.Index, rng: sh.HashKeyRange, ready: p.base})
		}
	}
	slices.SortFunc(out, func(a, b piece) int { return a.rng.Start.Compare(b.rng.Start) })
	return out
}

// split closes a and makes its two children, [Start, at-1] and [at, End]; at must be in
// (Start, End].
func (p *planner) split(a piece, at kinesis.HashKey) (piece, piece) {
	p.close(a, a.ready)
	id := kinesis.ShardID(a.index)
	first := p.create(kinesis.HashKeyRange{Start: a.rng.Start, End: at.Prev()}, id, "", a.ready+1)
	second := p.create(kinesis.HashKeyRange{Start: at, End: a.rng.End}, id, "", a.ready+1)
	return first, second
}

// merge closes a and the adjacent b, and makes their child.
func (p *planner) merge(a, b piece) piece {
	sec := max(a.ready, b.ready)
	p.close(a, sec)
	p.close(b, sec)
	return p.create(a.rng.Merge(b.rng), kinesis.ShardID(a.index), kinesis.ShardID(b.index), sec+1)
}

// close closes the shard of a at sec.
func (p *planner) close(a piece, sec int64) {
	sh := p.info.Shard(a.index)
	sh.Closed, sh.ClosedSec = true, sec
	if a.index < p.firstNew {
		p.parents = append(p.parents, a.index)
	}
}

// create appends a new open shard, created at sec.
func (p *planner) create(rng kinesis.HashKeyRange, parentID, adjacentParentID string, sec int64) piece {
	index := p.info.NextShardIndex
	p.info.NextShardIndex++
	p.info.Shards = append(p.info.Shards, ShardInfo{
		Index:            index,
		ID:               kinesis.ShardID(index),
		HashKeyRange:     rng,
		ParentID:         parentID,
		AdjacentParentID: adjacentParentID,
		CreatedSec:       sec,
	})
	return piece{index: index, rng: rng, ready: sec}
}

// scale rescales the open shards to target shards of equal size: each open shard is split
// at the target boundaries inside it, then the pieces of each target range are merged.
func (p *planner) scale(target int) {
	open := p.openPieces()
	bounds := snapBounds(kinesis.UniformHashKeyRanges(target), open)
	var pieces []piece
	k := 0 // bounds[k:] lie after the shards done so far
	for _, o := range open {
		lo := k
		for k < len(bounds) && bounds[k].Compare(o.rng.End) <= 0 {
			k++
		}
		if lo < k && bounds[lo] == o.rng.Start { // a boundary the layouts share
			lo++
		}
		pieces = p.splitAt(pieces, o, bounds[lo:k])
	}
	start := 0
	for t := 0; t <= len(bounds); t++ {
		end := kinesis.MaxHashKey
		if t < len(bounds) {
			end = bounds[t].Prev()
		}
		stop := start
		for stop < len(pieces) && pieces[stop].rng.End.Compare(end) <= 0 {
			stop++
		}
		p.mergeAll(pieces[start:stop])
		start = stop
	}
}

// splitAt splits a at every key of at (ascending, each in (Start, End]), halving the keys
// at each split, and appends the pieces to out in hash key order.
func (p *planner) splitAt(out []piece, a piece, at []kinesis.HashKey) []piece {
	if len(at) == 0 {
		return append(out, a)
	}
	mid := len(at) / 2
	first, second := p.split(a, at[mid])
	out = p.splitAt(out, first, at[:mid])
	return p.splitAt(out, second, at[mid+1:])
}

// mergeAll merges adjacent pieces, in hash key order, into one: pairwise, round by round,
// an odd piece out carried to the next round.
func (p *planner) mergeAll(run []piece) {
	run = slices.Clone(run)
	for len(run) > 1 {
		next := run[:0:0]
		for i := 0; i+1 < len(run); i += 2 {
			next = append(next, p.merge(run[i], run[i+1]))
		}
		if len(run)%2 == 1 {
			next = append(next, run[len(run)-1])
		}
		run = next
	}
}

// snapBounds returns the boundaries (the starts after the first) of the target ranges,
// each replaced by the start of an open shard near it (within 2^64 keys), if there is one.
//
// floor(2^128/n) arithmetic puts the uniform layouts of n and 2n shards a few keys apart at
// the boundaries they share. Snapping makes doubling one split per shard and halving one
// merge per pair, as on AWS, rather than slivers of a few keys split off and merged into the
// neighbours. 2^64 keys are under 2^-50 of the smallest range of a stream of
// MaxShardsPerStream shards, so target boundaries, and the shards they snap to, stay far
// apart.
func snapBounds(target []kinesis.HashKeyRange, open []piece) []kinesis.HashKey {
	bounds := make([]kinesis.HashKey, 0, len(target)-1)
	for _, r := range target[1:] {
		b := r.Start
		i, _ := slices.BinarySearchFunc(open, b, func(o piece, k kinesis.HashKey) int { return o.rng.Start.Compare(k) })
		for _, j := range []int{i - 1, i} {
			if j >= 0 && j < len(open) && near(open[j].rng.Start, b) {
				b = open[j].rng.Start
			}
		}
		bounds = append(bounds, b)
	}
	return bounds
}

// near reports whether |a-b| < 2^64.
func near(a, b kinesis.HashKey) bool {
	if a.Compare(b) < 0 {
		a, b = b, a
	}
	_, borrow := bits.Sub64(a.Lo, b.Lo, 0)
	hi, _ := bits.Sub64(a.Hi, b.Hi, borrow)
	return hi == 0
}
