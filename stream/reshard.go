package stream

import (
	"fmt"
	"slices"

	"github.com/shardlog/shardlog/kinesis"
)

// Resharding follows AWS. SplitShard, MergeShards and UpdateShardCount check their
// arguments, record the change in the catalog as the stream's pending Reshard, and make the
// stream UPDATING; the parents go on taking writes. When UPDATING ends (Options.UpdateDelay
// later) the reshard is carried out, as a sequence of splits and merges (reshard_plan.go),
// in steps that can each be interrupted by a crash:
//
//  1. start: the catalog records the second the reshard starts (Reshard.StartedSec). From
//     then on the plan is fixed: every time in it derives from that second and from the
//     parents' sealed logs.
//  2. seal: each parent's log is sealed (shard.Seal, durable, idempotent), so its end offset
//     and newest arrival time are final. Writes that race the seal fail with
//     shard.ErrSealed and are written again on the children once they are in place.
//  3. children: the children's logs are created (shard.Open on an existing directory reopens
//     it) and the intermediate ones sealed.
//  4. publish: one catalog write closes the parents (EndOffset, ClosedSec), adds the children,
//     and makes the stream ACTIVE.
//
// Which shards own which hash keys is only ever what the catalog says, and step 4 changes it
// in one atomic file replacement: before it the parents own their keys (sealed or not), after
// it the children do, so no crash leaves a key with two open shards or with none. A crash
// before step 4 leaves the reshard pending in the catalog; a stream whose reshard has started
// is due at once (StreamInfo.Due), so Open carries it out again from step 1's second, finding
// the parents sealed and the children's logs empty, and reaches the same shards.
//
// A child's creation second is after its parents' close second (the close second is at
// least the parents' creation second and their newest record's arrival second), so every
// sequence number of a child sorts after every number of its parents, including their
// EndingSequenceNumber.

// MaxShardsPerStream is the most open shards UpdateShardCount makes.
const MaxShardsPerStream = 10000

// MaxScalingsPerDay is how many times UpdateShardCount may run on a stream in 24 hours.
const MaxScalingsPerDay = 10

const dayMs = 24 * 60 * 60 * 1000

// SplitShard splits an open shard at newStartingHashKey: the first child gets the hash
// keys below it, the second the rest. The checks and their order are kinesalite's (tested
// against AWS), with AWS's refusal of a closed shard, after the stream's: one that is not
// ACTIVE is refused before its shards are looked at.
func (s *Store) SplitShard(name, shardToSplit, newStartingHashKey string) error {
	return s.reshard(name, func(info *StreamInfo) (*Reshard, error) {
		index, err := kinesis.ParseShardID(shardToSplit)
		if err != nil {
			return nil, couldNotFindShard(shardToSplit, name, info.Account)
		}
		sh, err := s.reshardable(info, index)
		if err != nil {
			return nil, err
		}
		if open := s.openShardCount(); open+1 > s.opts.ShardLimit {
			return nil, shardLimitExceeded(info.Account, info.Region, open, s.opts.ShardLimit, 1)
		}
		key, err := kinesis.ParseHashKey(newStartingHashKey)
		if _, _, ok := sh.HashKeyRange.Split(key); err != nil || !ok {
			return nil, invalidSplitHashKey(newStartingHashKey, sh.ID, name, info.Account, sh.HashKeyRange)
		}
		return &Reshard{Kind: ReshardSplit, ShardIndex: index, NewStartingHashKey: key}, nil
	})
}

// MergeShards merges two open shards whose hash key ranges are adjacent, shardToMerge's
// first, into one child.
func (s *Store) MergeShards(name, shardToMerge, adjacentShardToMerge string) error {
	return s.reshard(name, func(info *StreamInfo) (*Reshard, error) {
		var indexes [2]int
		for i, id := range []string{shardToMerge, adjacentShardToMerge} {
			var err error
			if indexes[i], err = kinesis.ParseShardID(id); err != nil {
				return nil, couldNotFindShard(id, name, info.Account)
			}
		}
		a, err := s.reshardable(info, indexes[0])
		if err != nil {
			return nil, err
		}
		b, err := s.reshardable(info, indexes[1])
		if err != nil {
			return nil, err
		}
		if !a.HashKeyRange.Adjacent(b.HashKeyRange) {
			return nil, shardsNotAdjacent(a.ID, b.ID, name, info.Account)
		}
		return &Reshard{Kind: ReshardMerge, ShardIndex: a.Index, AdjacentShardIndex: b.Index}, nil
	})
}

// UpdateShardCount rescales a stream to target open shards dividing the hash key space
// evenly (a boundary within 2^64 keys of an existing one keeps it; see snapBounds), within
// AWS's bounds: at most twice and at least half the open shards now, at most
// MaxShardsPerStream, at most MaxScalingsPerDay times a day, and within Options.ShardLimit.
// It returns the open shard count before the change. The new layout is reached through
// splits and merges (see reshard_plan.go); a target the stream already has, evenly divided,
// changes nothing. An ON_DEMAND stream cannot be rescaled, as on AWS.
func (s *Store) UpdateShardCount(name string, target int) (current int, err error) {
	err = s.reshard(name, func(info *StreamInfo) (*Reshard, error) {
		if info.Status != StatusActive {
			return nil, streamNotActive(name, info.Account, info.Status)
		}
		if info.Mode == ModeOnDemand {
			return nil, reshardOnDemand(string(ReshardScale), name, info.Account)
		}
		current = info.OpenShardCount()
		switch {
		case target > MaxShardsPerStream:
			return nil, shardCountAboveMax()
		case target > 2*current:
			return nil, shardCountAboveDouble()
		case 2*target < current:
			return nil, shardCountBelowHalf()
		}
		now := s.nowMs()
		info.ScaledMs = slices.DeleteFunc(info.ScaledMs, func(ms int64) bool { return now-ms >= dayMs })
		if len(info.ScaledMs) >= MaxScalingsPerDay {
			return nil, shardCountUpdatesExceeded()
		}
		if added := target - current; added > 0 {
			if open := s.openShardCount(); open+added > s.opts.ShardLimit {
				return nil, shardLimitExceeded(info.Account, info.Region, open, s.opts.ShardLimit, added)
			}
		}
		r := &Reshard{Kind: ReshardScale, TargetShardCount: target}
		if parents, err := planReshard(info.clone(), r, now/1000); err != nil || len(parents) == 0 {
			return nil, err // nothing to change
		}
		info.ScaledMs = append(info.ScaledMs, now)
		return r, nil
	})
	return current, err
}

// reshard records the reshard fn accepts as the stream's pending change and makes it
// UPDATING. A stream that is not ACTIVE is refused before fn looks at it; a nil Reshard without an error changes nothing. With no UpdateDelay the change
// is carried out at once. Once accepted, the reshard is not undone by a failure to carry it
// out: that is logged, and the reshard tried again at the next look at the stream.
func (s *Store) reshard(name string, fn func(info *StreamInfo) (*Reshard, error)) error {
	err := s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		if info.Status != StatusActive {
			return nil, streamNotActive(name, info.Account, info.Status)
		}
		r, err := fn(info)
		if err != nil || r == nil {
			return nil, err
		}
		info.Status, info.StatusDueMs, info.Reshard = StatusUpdating, s.nowMs()+s.opts.UpdateDelay.Milliseconds(), r
		return info, nil
	}, nil)
	if err != nil {
		return err
	}
	s.current(name) // carried out now if there is no delay; a failure is left to the maintenance loop
	return nil
}

// reshardable returns the open shard of info with the given index, or the error of a shard
// that cannot be split or merged.
func (s *Store) reshardable(info *StreamInfo, index int) (*ShardInfo, error) {
	sh := info.Shard(index)
	if sh == nil || info.expired(sh, s.nowMs()) {
		return nil, couldNotFindShard(kinesis.ShardID(index), info.Name, info.Account)
	}
	if sh.Closed {
		return nil, shardAlreadyResharded(sh.ID, info.Name, info.Account)
	}
	return sh, nil
}

// heldShards returns the open shards a stream holds against the shard limit: those it has,
// those it will have once CREATING ends, and, while a reshard is pending, the more of those
// it has now and those it will have after.
func heldShards(info *StreamInfo) int {
	n := pendingShardCount(info)
	if r := info.Reshard; r != nil {
		switch r.Kind {
		case ReshardSplit:
			n++
		case ReshardScale:
			n = max(n, r.TargetShardCount)
		}
	}
	return n
}

// finishUpdate ends UPDATING: the pending reshard, if any, is carried out, and the stream is
// ACTIVE again. Called with e.mu held.
func (s *Store) finishUpdate(e *streamEntry, v *streamView, nowMs int64) (*streamView, error) {
	if v.info.Reshard == nil {
		info := v.info.clone()
		info.Status, info.StatusDueMs = StatusActive, 0
		return s.publish(e, info, v.shards)
	}
	return s.carryOut(e, v, nowMs)
}

// carryOut carries out the stream's pending reshard, in the steps described at the top of
// this file, and returns the stream's new view. Called with e.mu held.
func (s *Store) carryOut(e *streamEntry, v *streamView, nowMs int64) (*streamView, error) {
	if err := s.fault("due"); err != nil {
		return nil, err
	}
	v, err := s.startReshard(e, v, nowMs)
	if err != nil {
		return nil, err
	}
	parents, err := planReshard(v.info.clone(), v.info.Reshard, v.info.Reshard.StartedSec)
	if err != nil {
		return nil, err
	}
	base, err := s.sealParents(v, parents)
	if err != nil {
		return nil, err
	}
	info := v.info.clone()
	r := info.Reshard
	info.Status, info.StatusDueMs, info.Reshard = StatusActive, 0, nil
	first := len(info.Shards)
	if _, err := planReshard(info, r, base); err != nil {
		return nil, err
	}
	for _, index := range parents {
		_, l := v.shard(index)
		info.Shard(index).EndOffset = l.log.NextOffset()
	}
	logs, err := s.makeChildren(info, info.Shards[first:])
	if err != nil {
		return nil, err
	}
	nv, err := s.publish(e, info, append(slices.Clip(v.shards), logs...))
	if err != nil {
		s.closeShards(logs)
		return nil, err
	}
	return nv, nil
}

// startReshard records in the catalog the second the stream's pending reshard starts, if it
// has not started yet, and returns the stream's view with it.
func (s *Store) startReshard(e *streamEntry, v *streamView, nowMs int64) (*streamView, error) {
	if v.info.Reshard.StartedSec != 0 {
		return v, nil
	}
	info := v.info.clone()
	info.Reshard.StartedSec = max(nowMs/1000, 1)
	nv, err := s.publish(e, info, v.shards)
	if err != nil {
		return nil, err
	}
	return nv, s.fault("start")
}

// sealParents seals the logs of the parents, the shards with the given indexes, and
// returns the second they close at: the reshard's start second, or a parent's creation
// second or newest arrival second if that is later.
func (s *Store) sealParents(v *streamView, parents []int) (int64, error) {
	base := v.info.Reshard.StartedSec
	for _, index := range parents {
		sh, l := v.shard(index)
		if err := l.log.Seal(); err != nil {
			return 0, fmt.Errorf("stream %s: close %s: %w", v.info.Name, sh.ID, err)
		}
		if err := s.fault("seal " + sh.ID); err != nil {
			return 0, err
		}
		base = max(base, sh.CreatedSec, l.log.LastTimeMs()/1000)
	}
	return base, nil
}

// makeChildren opens the logs of the children of a reshard, which belong to info, and
// seals those of the intermediate ones. On failure it closes what it opened.
func (s *Store) makeChildren(info *StreamInfo, children []ShardInfo) ([]*shardLog, error) {
	logs, err := s.openShards(info, children, false)
	if err != nil {
		return nil, err
	}
	if err := s.sealIntermediates(info, children, logs); err != nil {
		s.closeShards(logs)
		return nil, err
	}
	return logs, nil
}

// sealIntermediates seals the logs of the children that the reshard closes at once.
func (s *Store) sealIntermediates(info *StreamInfo, children []ShardInfo, logs []*shardLog) error {
	if err := s.fault("open children"); err != nil {
		return err
	}
	for i := range children {
		if !children[i].Closed {
			continue
		}
		if err := logs[i].log.Seal(); err != nil {
			return fmt.Errorf("stream %s: close %s: %w", info.Name, children[i].ID, err)
		}
	}
	return s.fault("seal intermediates")
}

// fault calls the test hook Store.faults, if set, before carrying out a reshard and after
// each step of it.
func (s *Store) fault(step string) error {
	if s.faults == nil {
		return nil
	}
	return s.faults(step)
}

// children returns the children of a closed shard, in index order: the shards that name it
// as ParentShardId or AdjacentParentShardId.
func children(info *StreamInfo, parent *ShardInfo) []ShardInfo {
	var out []ShardInfo
	for _, sh := range info.Shards {
		if sh.Index > parent.Index && (sh.ParentID == parent.ID || sh.AdjacentParentID == parent.ID) {
			out = append(out, sh)
		}
	}
	return out
}
