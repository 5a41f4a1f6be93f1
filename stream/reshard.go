package stream

import (
	"fmt"
	"slices"
)

// Resharding follows AWS: SplitShard, MergeShards and UpdateShardCount check their
// arguments, record the change as the stream's pending Reshard and make it UPDATING; when
// UPDATING ends (Options.UpdateDelay later) the parents are closed and the children made.
// Until then the parents take the writes. Closing a parent seals its log (shard.Seal), so
// that its end offset is final, and the children's creation second is the parents' close
// second + 1, so that every child sequence number sorts after every parent one.
//
// A parent's children are the shards created in the second after it closed whose hash key
// ranges overlap its own (children). For a split or a merge those are exactly the shards
// that name it as ParentShardId or AdjacentParentShardId. UpdateShardCount goes straight to
// the new uniform layout, without AWS's intermediate shards, so a child may overlap more
// than two parents; its lineage names the first two, and GetRecords still lists it among
// the ChildShards of every parent it overlaps.

// MaxShardsPerStream is the most open shards UpdateShardCount makes.
const MaxShardsPerStream = 10000

// MaxScalingsPerDay is how many times UpdateShardCount may run on a stream in 24 hours.
const MaxScalingsPerDay = 10

const dayMs = 24 * 60 * 60 * 1000

// SplitShard splits an open shard at newStartingHashKey: the first child gets the hash
// keys below it, the second the rest. The checks and their order are kinesalite's (tested
// against AWS), with AWS's refusal of a closed shard.
func (s *Store) SplitShard(name, shardToSplit, newStartingHashKey string) error {
	index, err := ParseShardID(shardToSplit)
	if err != nil {
		return CouldNotFindShard(shardToSplit, name, s.opts.Account)
	}
	return s.reshard(name, func(info *StreamInfo) (*Reshard, error) {
		sh, err := s.reshardable(info, index)
		if err != nil {
			return nil, err
		}
		if open := s.openShardCount(); open+1 > s.opts.ShardLimit {
			return nil, ShardLimitExceeded(info.Account, info.Region, open, s.opts.ShardLimit, 1)
		}
		key, err := ParseHashKey(newStartingHashKey)
		if _, _, ok := sh.HashKeyRange.Split(key); err != nil || !ok {
			return nil, InvalidSplitHashKey(newStartingHashKey, sh.ID, name, info.Account, sh.HashKeyRange)
		}
		return &Reshard{Kind: ReshardSplit, ShardIndex: index, NewStartingHashKey: key}, nil
	})
}

// MergeShards merges two open shards whose hash key ranges are adjacent, shardToMerge's
// first, into one child.
func (s *Store) MergeShards(name, shardToMerge, adjacentShardToMerge string) error {
	var indexes [2]int
	for i, id := range []string{shardToMerge, adjacentShardToMerge} {
		var err error
		if indexes[i], err = ParseShardID(id); err != nil {
			return CouldNotFindShard(id, name, s.opts.Account)
		}
	}
	return s.reshard(name, func(info *StreamInfo) (*Reshard, error) {
		a, err := s.reshardable(info, indexes[0])
		if err != nil {
			return nil, err
		}
		b, err := s.reshardable(info, indexes[1])
		if err != nil {
			return nil, err
		}
		if !a.HashKeyRange.Adjacent(b.HashKeyRange) {
			return nil, ShardsNotAdjacent(a.ID, b.ID, name, info.Account)
		}
		return &Reshard{Kind: ReshardMerge, ShardIndex: a.Index, AdjacentShardIndex: b.Index}, nil
	})
}

// UpdateShardCount rescales a stream to target open shards dividing the hash key space
// evenly, within AWS's bounds: at most twice and at least half the open shards now, at most
// MaxShardsPerStream, at most MaxScalingsPerDay times a day. It returns the open shard count
// before the change. A target the stream already has, evenly divided, changes nothing.
func (s *Store) UpdateShardCount(name string, target int) (current int, err error) {
	err = s.reshard(name, func(info *StreamInfo) (*Reshard, error) {
		if info.Status != StatusActive {
			return nil, StreamNotActive(name, info.Account, info.Status)
		}
		current = info.OpenShardCount()
		switch {
		case target > MaxShardsPerStream:
			return nil, ShardCountAboveMax()
		case target > 2*current:
			return nil, ShardCountAboveDouble()
		case 2*target < current:
			return nil, ShardCountBelowHalf()
		}
		now := s.nowMs()
		info.ScaledMs = slices.DeleteFunc(info.ScaledMs, func(ms int64) bool { return now-ms >= dayMs })
		if len(info.ScaledMs) >= MaxScalingsPerDay {
			return nil, ShardCountUpdatesExceeded()
		}
		if added := target - current; added > 0 {
			if open := s.openShardCount(); open+added > s.opts.ShardLimit {
				return nil, ShardLimitExceeded(info.Account, info.Region, open, s.opts.ShardLimit, added)
			}
		}
		if slices.Equal(openRanges(info), UniformHashKeyRanges(target)) {
			return nil, nil
		}
		info.ScaledMs = append(info.ScaledMs, now)
		return &Reshard{Kind: ReshardScale, TargetShardCount: target}, nil
	})
	return current, err
}

// reshard records the reshard fn accepts as the stream's pending change and makes it
// UPDATING; a nil Reshard without an error changes nothing. With no UpdateDelay the change
// is carried out at once.
func (s *Store) reshard(name string, fn func(info *StreamInfo) (*Reshard, error)) error {
	err := s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		r, err := fn(info)
		if err != nil || r == nil {
			return nil, err
		}
		if info.Status != StatusActive {
			return nil, StreamNotActive(name, info.Account, info.Status)
		}
		info.Status, info.StatusDueMs, info.Reshard = StatusUpdating, s.nowMs()+s.opts.UpdateDelay.Milliseconds(), r
		return info, nil
	}, nil)
	if err != nil {
		return err
	}
	_, _, err = s.lookup(name) // done now if there is no delay
	return err
}

// reshardable returns the open shard of info with the given index, or the error of a shard
// that cannot be split or merged.
func (s *Store) reshardable(info *StreamInfo, index int) (*ShardInfo, error) {
	sh := info.Shard(index)
	if sh == nil || info.expired(sh, s.nowMs()) {
		return nil, CouldNotFindShard(ShardID(index), info.Name, info.Account)
	}
	if sh.Closed {
		return nil, ShardAlreadyResharded(sh.ID, info.Name, info.Account)
	}
	return sh, nil
}

// openRanges returns the hash key ranges of the open shards, in hash key order.
func openRanges(info *StreamInfo) []HashKeyRange {
	var out []HashKeyRange
	for _, sh := range info.Shards {
		if !sh.Closed {
			out = append(out, sh.HashKeyRange)
		}
	}
	slices.SortFunc(out, func(a, b HashKeyRange) int { return a.Start.Compare(b.Start) })
	return out
}

// finishUpdate ends UPDATING: the pending reshard, if any, is carried out, and the stream
// is ACTIVE again. The parents' logs are sealed first, then the children's made, then the
// catalog saved; a crash in between leaves the reshard pending, and doing it again finds
// the parents sealed and the children empty. Writes that race the sealing fail and are
// tried again on the new shards (PutRecords). Called with e.mu held.
func (s *Store) finishUpdate(e *streamEntry, v *streamView, nowMs int64) (*streamView, error) {
	info := v.info.clone()
	info.Status, info.StatusDueMs = StatusActive, 0
	r := info.Reshard
	info.Reshard = nil
	if r == nil {
		return s.publish(e, info, v.shards)
	}
	parents, children, err := plan(info, r, nowMs)
	if err != nil {
		return nil, err
	}
	for _, i := range parents {
		if err := s.closeShard(info, v, i); err != nil {
			return nil, err
		}
	}
	logs, err := s.openShards(info, children)
	if err != nil {
		return nil, err
	}
	info.Shards = append(info.Shards, children...)
	nv, err := s.publish(e, info, append(slices.Clip(v.shards), logs...))
	if err != nil {
		s.closeShards(logs)
		return nil, err
	}
	s.addShards(logs)
	return nv, nil
}

// closeShard seals the log of info.Shards[i] and records it as closed.
func (s *Store) closeShard(info *StreamInfo, v *streamView, i int) error {
	l := v.shards[i]
	if err := l.log.Seal(); err != nil {
		return fmt.Errorf("stream %s: close %s: %w", info.Name, l.id, err)
	}
	sh := &info.Shards[i]
	sh.Closed, sh.EndOffset = true, l.log.NextOffset()
	return nil
}

// plan works out a reshard: the positions in info.Shards of the parents to close (whose
// ClosedSec it sets), and the children to make (which it numbers from NextShardIndex).
func plan(info *StreamInfo, r *Reshard, nowMs int64) (parents []int, children []ShardInfo, err error) {
	var ranges []HashKeyRange
	switch r.Kind {
	case ReshardSplit:
		parents = []int{position(info, r.ShardIndex)}
		first, second, ok := info.Shards[parents[0]].HashKeyRange.Split(r.NewStartingHashKey)
		if !ok {
			return nil, nil, fmt.Errorf("stream %s: split of shard %d at %s: not inside its range", info.Name, r.ShardIndex, r.NewStartingHashKey)
		}
		ranges = []HashKeyRange{first, second}
	case ReshardMerge:
		parents = []int{position(info, r.ShardIndex), position(info, r.AdjacentShardIndex)}
		ranges = []HashKeyRange{info.Shards[parents[0]].HashKeyRange.Merge(info.Shards[parents[1]].HashKeyRange)}
	case ReshardScale:
		for i, sh := range info.Shards {
			if !sh.Closed {
				parents = append(parents, i)
			}
		}
		slices.SortFunc(parents, func(a, b int) int {
			return info.Shards[a].HashKeyRange.Start.Compare(info.Shards[b].HashKeyRange.Start)
		})
		ranges = UniformHashKeyRanges(r.TargetShardCount)
	}
	closeSec := nowMs / 1000
	for _, p := range parents {
		closeSec = max(closeSec, info.Shards[p].CreatedSec)
	}
	for _, p := range parents {
		info.Shards[p].ClosedSec = closeSec
	}
	for _, rg := range ranges {
		child := ShardInfo{Index: info.NextShardIndex, ID: ShardID(info.NextShardIndex), HashKeyRange: rg, CreatedSec: closeSec + 1}
		lineage(&child, info, parents)
		children = append(children, child)
		info.NextShardIndex++
	}
	return parents, children, nil
}

// position returns the position in info.Shards of the shard with the given index, which
// the catalog's checks guarantee is there.
func position(info *StreamInfo, index int) int {
	return slices.IndexFunc(info.Shards, func(sh ShardInfo) bool { return sh.Index == index })
}

// lineage names, as the child's ParentShardId and AdjacentParentShardId, the first two
// parents (in hash key order) whose ranges overlap the child's.
func lineage(child *ShardInfo, info *StreamInfo, parents []int) {
	for _, p := range parents {
		sh := &info.Shards[p]
		if !overlap(sh.HashKeyRange, child.HashKeyRange) {
			continue
		}
		switch {
		case child.ParentID == "":
			child.ParentID = sh.ID
		case child.AdjacentParentID == "":
			child.AdjacentParentID = sh.ID
		}
	}
}

// overlap reports whether two hash key ranges share a key.
func overlap(a, b HashKeyRange) bool {
	return a.Start.Compare(b.End) <= 0 && b.Start.Compare(a.End) <= 0
}

// children returns the children of a closed shard: the shards created the second after it
// closed whose ranges overlap its own.
func children(info *StreamInfo, parent *ShardInfo) []ShardInfo {
	var out []ShardInfo
	for _, sh := range info.Shards {
		if sh.CreatedSec == parent.ClosedSec+1 && overlap(sh.HashKeyRange, parent.HashKeyRange) {
			out = append(out, sh)
		}
	}
	return out
}
