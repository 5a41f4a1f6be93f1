package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	slkinesis "github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/kpl"
)

// Bounds of --aggregate-bytes.
const (
	defaultAggregateBytes = 51200 // the KPL's AggregationMaxSize default
	minAggregateBytes     = 64    // room for a few small user records
	// maxAggregateBytes keeps an aggregate and the longest partition key (256 bytes) within
	// a stream's default record size limit.
	maxAggregateBytes = slkinesis.DefaultMaxRecordSizeKiB<<10 - 256
)

// packed is one Kinesis record for PutRecords, the number of user records it carries, and
// with --aggregate the shard it is meant for.
type packed struct {
	entry types.PutRecordsRequestEntry
	users int
	shard string // the shard id predicted; empty without --aggregate
}

// aggregator packs user records into KPL aggregates the way the KPL does: it predicts each
// record's shard from its hash key and the stream's open shards, keeps one aggregate in
// the making per shard, and sends it under the first user record's partition key with that
// record's hash key as ExplicitHashKey, so that it lands on the shard all its user records
// hash to (the shard the KCL expects them on). An aggregate is complete when the next
// record would take it past maxBytes; one of a single user record is sent as that record,
// and a user record too large for any aggregate is sent on its own. When a record lands on
// another shard than predicted, the stream was resharded: like the KPL, put then sends what
// it holds and lists the shards again.
type aggregator struct {
	kc       *kinesis.Client
	stream   string
	maxBytes int
	shards   []*aggShard // the open shards, by hash key range
	held     int         // user records in the aggregates in the making
	stale    bool        // a record landed on another shard than predicted
}

// aggShard is one open shard and its aggregate in the making.
type aggShard struct {
	id       string
	hashKeys slkinesis.HashKeyRange
	b        kpl.Builder
	first    types.PutRecordsRequestEntry // the first user record of the aggregate
	firstKey slkinesis.HashKey            // its hash key
}

// newAggregator lists the stream's open shards.
func newAggregator(ctx context.Context, kc *kinesis.Client, stream string, maxBytes int) (*aggregator, error) {
	a := &aggregator{kc: kc, stream: stream, maxBytes: maxBytes}
	return a, a.list(ctx)
}

// list (re)reads the stream's open shards, which the aggregates in the making must have
// been flushed from.
func (a *aggregator) list(ctx context.Context) error {
	var shards []*aggShard
	in := &kinesis.ListShardsInput{StreamName: aws.String(a.stream)}
	for {
		page, err := a.kc.ListShards(ctx, in)
		if err != nil {
			return fmt.Errorf("list shards of %s: %w", a.stream, err)
		}
		for _, sh := range page.Shards {
			if sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil {
				continue // closed
			}
			r, err := parseHashKeyRange(sh.HashKeyRange)
			if err != nil {
				return fmt.Errorf("shard %s: %w", aws.ToString(sh.ShardId), err)
			}
			shards = append(shards, &aggShard{id: aws.ToString(sh.ShardId), hashKeys: r})
		}
		if page.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: page.NextToken}
	}
	if len(shards) == 0 {
		return fmt.Errorf("stream %s has no open shard", a.stream)
	}
	sort.Slice(shards, func(i, j int) bool { return shards[i].hashKeys.Start.Compare(shards[j].hashKeys.Start) < 0 })
	a.shards, a.stale = shards, false
	return nil
}

func parseHashKeyRange(r *types.HashKeyRange) (slkinesis.HashKeyRange, error) {
	if r == nil {
		return slkinesis.HashKeyRange{}, fmt.Errorf("no hash key range")
	}
	start, err := slkinesis.ParseHashKey(aws.ToString(r.StartingHashKey))
	if err != nil {
		return slkinesis.HashKeyRange{}, err
	}
	end, err := slkinesis.ParseHashKey(aws.ToString(r.EndingHashKey))
	return slkinesis.HashKeyRange{Start: start, End: end}, err
}

// shard returns the open shard that owns h; the last one if none does (the open shards
// cover the hash key space, so that happens only with a map gone stale).
func (a *aggregator) shard(h slkinesis.HashKey) *aggShard {
	i := sort.Search(len(a.shards), func(i int) bool { return h.Compare(a.shards[i].hashKeys.End) <= 0 })
	return a.shards[min(i, len(a.shards)-1)]
}

// add takes one user record and returns the Kinesis records it completed, in the order to
// send them (none, mostly).
func (a *aggregator) add(e types.PutRecordsRequestEntry) []packed {
	h := slkinesis.HashPartitionKey([]byte(aws.ToString(e.PartitionKey)))
	sh := a.shard(h)
	r := kpl.Record{PartitionKey: aws.ToString(e.PartitionKey), Data: e.Data}
	var done []packed
	if sh.b.Len() > 0 && sh.b.SizeWith(r) > a.maxBytes {
		done = append(done, a.take(sh))
	}
	if sh.b.SizeWith(r) > a.maxBytes { // too large even alone: sent as it is, after the records before it
		return append(done, packed{entry: e, users: 1, shard: sh.id})
	}
	if sh.b.Len() == 0 {
		sh.first, sh.firstKey = e, h
	}
	sh.b.Add(r)
	a.held++
	return done
}

// flush returns every aggregate in the making, completed.
func (a *aggregator) flush() []packed {
	var done []packed
	for _, sh := range a.shards {
		if sh.b.Len() > 0 {
			done = append(done, a.take(sh))
		}
	}
	return done
}

// take completes the shard's aggregate and starts the next.
func (a *aggregator) take(sh *aggShard) packed {
	n := sh.b.Len()
	a.held -= n
	defer sh.b.Reset()
	if n == 1 {
		return packed{entry: sh.first, users: 1, shard: sh.id} // the KPL, too, sends a lone record as it is
	}
	data, err := sh.b.Bytes()
	if err != nil {
		panic(fmt.Sprintf("aggregate of %d records: %v", n, err)) // Bytes fails only when empty
	}
	return packed{users: n, shard: sh.id, entry: types.PutRecordsRequestEntry{
		Data:            data,
		PartitionKey:    sh.first.PartitionKey,
		ExplicitHashKey: aws.String(sh.firstKey.String()),
	}}
}
