package stream

import (
	"fmt"
	"slices"
	"time"

	"github.com/shardlog/shardlog/kinesis"
)

// ShardFilterType names a ListShards filter.
type ShardFilterType string

// ListShards filters (ShardFilter.Type).
const (
	FilterAfterShardID    ShardFilterType = "AFTER_SHARD_ID"    // the shards after ShardID
	FilterAtTrimHorizon   ShardFilterType = "AT_TRIM_HORIZON"   // the shards open at the trim horizon
	FilterFromTrimHorizon ShardFilterType = "FROM_TRIM_HORIZON" // every shard within retention (the default)
	FilterAtLatest        ShardFilterType = "AT_LATEST"         // the open shards
	FilterAtTimestamp     ShardFilterType = "AT_TIMESTAMP"      // the shards open at Timestamp
	FilterFromTimestamp   ShardFilterType = "FROM_TIMESTAMP"    // the shards open at Timestamp or later
)

// ShardFilter narrows ListShards to the shards that matter to a consumer starting at some
// position (the KCL and the KPL use AT_LATEST, AT_TRIM_HORIZON and AT_TIMESTAMP).
type ShardFilter struct {
	Type      ShardFilterType
	ShardID   string    // AFTER_SHARD_ID
	Timestamp time.Time // AT_TIMESTAMP, FROM_TIMESTAMP; zero when absent
}

// ListShardsRequest is the input of ListShards. Either NextToken or StreamName is set: a
// NextToken names the stream and carries the filter of the first page, so it goes with none
// of StreamName, ExclusiveStartShardID, StreamCreationTimestamp and Filter.
type ListShardsRequest struct {
	StreamName              string
	NextToken               string
	ExclusiveStartShardID   string
	MaxResults              int       // 0 for kinesis.DefaultListShards; at most kinesis.MaxListShards are returned
	StreamCreationTimestamp time.Time // zero when absent; another time is a stream not found
	Filter                  *ShardFilter
}

// ListShards returns a page of a stream's shards in index order, and a NextToken if more
// follow. Closed shards whose records have all expired are never listed; a CREATING stream
// has no shards yet.
func (s *Store) ListShards(req ListShardsRequest) ([]ShardInfo, string, error) {
	if s.closed.Load() {
		return nil, "", ErrClosed
	}
	name, token, err := s.listShardsStart(&req)
	if err != nil {
		return nil, "", err
	}
	_, v, err := s.current(name)
	if err != nil {
		return nil, "", err
	}
	if v == nil || token != nil && token.Incarnation != v.info.Incarnation ||
		!req.StreamCreationTimestamp.IsZero() && req.StreamCreationTimestamp.Unix() != v.info.CreatedMs/1000 {
		return nil, "", streamNotFound(name, s.opts.Account)
	}
	shards, err := filterShards(v.info, req.Filter, s.nowMs())
	if err != nil {
		return nil, "", err
	}
	if token != nil {
		shards = slices.DeleteFunc(shards, func(sh ShardInfo) bool { return sh.Index <= token.After })
	} else if req.ExclusiveStartShardID != "" {
		shards = slices.DeleteFunc(shards, func(sh ShardInfo) bool { return !shardAfter(&sh, req.ExclusiveStartShardID) })
	}
	limit := req.MaxResults
	if limit <= 0 {
		limit = kinesis.DefaultListShards
	}
	limit = min(limit, kinesis.MaxListShards)
	if len(shards) <= limit {
		return shards, "", nil
	}
	shards = shards[:limit]
	t := pageToken{Kind: tokenShards, Stream: name, Incarnation: v.info.Incarnation, After: shards[limit-1].Index}
	if req.Filter != nil {
		t.Filter, t.FilterMs = string(req.Filter.Type), unixMilli(req.Filter.Timestamp)
	}
	return shards, s.sealToken(t), nil
}

// listShardsStart checks the pairing rules of a ListShards request and returns the stream
// it names, and its NextToken if it has one, whose filter it puts in req.
func (s *Store) listShardsStart(req *ListShardsRequest) (string, *pageToken, error) {
	if req.NextToken == "" {
		if req.StreamName == "" {
			return "", nil, noNextTokenNorStreamName()
		}
		return req.StreamName, nil, checkShardFilter(req.Filter)
	}
	switch {
	case req.StreamName != "":
		return "", nil, nextTokenWithStreamName()
	case req.ExclusiveStartShardID != "":
		return "", nil, nextTokenWith("ExclusiveStartShardId")
	case !req.StreamCreationTimestamp.IsZero():
		return "", nil, nextTokenWith("StreamCreationTimestamp")
	case req.Filter != nil:
		return "", nil, nextTokenWith("ShardFilter")
	}
	t, err := s.openToken(req.NextToken, tokenShards)
	if err != nil {
		return "", nil, err
	}
	if t.Filter != "" {
		req.Filter = &ShardFilter{Type: ShardFilterType(t.Filter), Timestamp: time.UnixMilli(t.FilterMs)}
	}
	return t.Stream, &t, nil
}

// checkShardFilter checks that a filter has what its type needs.
func checkShardFilter(f *ShardFilter) error {
	if f == nil {
		return nil
	}
	switch f.Type {
	case FilterAfterShardID:
		if f.ShardID == "" {
			return shardFilterNeedsShardID()
		}
	case FilterAtTimestamp, FilterFromTimestamp:
		if f.Timestamp.IsZero() {
			return shardFilterNeedsTimestamp()
		}
	case FilterAtTrimHorizon, FilterFromTrimHorizon, FilterAtLatest:
	default:
		return fmt.Errorf("stream: list shards: unknown shard filter type %q", f.Type)
	}
	return nil
}

// filterShards returns the shards of info that f lets through at nowMs, leaving out closed
// shards whose records have all expired. A shard is open from its creation second to the
// end of its close second; the trim horizon is now - retention, or the stream's creation if
// that is later, and the times of the timestamp filters are not taken before it (there are
// no records there).
func filterShards(info *StreamInfo, f *ShardFilter, nowMs int64) ([]ShardInfo, error) {
	horizon := max(nowMs-info.retention().Milliseconds(), info.CreatedMs)
	var keep func(sh *ShardInfo) bool
	switch {
	case f == nil || f.Type == FilterFromTrimHorizon:
		keep = func(*ShardInfo) bool { return true }
	case f.Type == FilterAfterShardID:
		keep = func(sh *ShardInfo) bool { return shardAfter(sh, f.ShardID) }
	case f.Type == FilterAtLatest:
		keep = func(sh *ShardInfo) bool { return !sh.Closed }
	case f.Type == FilterAtTrimHorizon:
		keep = func(sh *ShardInfo) bool { return openAt(sh, horizon) }
	case f.Type == FilterAtTimestamp:
		t := max(unixMilli(f.Timestamp), horizon)
		keep = func(sh *ShardInfo) bool { return openAt(sh, t) }
	case f.Type == FilterFromTimestamp:
		t := max(unixMilli(f.Timestamp), horizon)
		keep = func(sh *ShardInfo) bool { return !sh.Closed || closedEndMs(sh) >= t }
	default:
		return nil, fmt.Errorf("stream: list shards: unknown shard filter type %q", f.Type)
	}
	var out []ShardInfo
	for i := range info.Shards {
		sh := &info.Shards[i]
		if !info.expired(sh, nowMs) && keep(sh) {
			out = append(out, *sh)
		}
	}
	return out, nil
}

// openAt reports whether sh was open at ms.
func openAt(sh *ShardInfo, ms int64) bool {
	return sh.CreatedSec*1000 <= ms && (!sh.Closed || closedEndMs(sh) >= ms)
}

// closedEndMs returns the last ms of a closed shard's close second.
func closedEndMs(sh *ShardInfo) int64 { return sh.ClosedSec*1000 + 999 }
