package stream

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/segment"
)

// routingView returns the view of an active stream whose first shard is closed and whose
// open shards, open of them, split the hash key space at random points.
func routingView(rng *rand.Rand, open int) *streamView {
	info := &StreamInfo{Name: "s", Status: StatusActive}
	info.Shards = append(info.Shards, ShardInfo{Index: 0, ID: kinesis.ShardID(0), HashKeyRange: kinesis.HashKeyRange{End: kinesis.MaxHashKey}, Closed: true})
	var cuts []kinesis.HashKey
	for range open - 1 {
		cuts = append(cuts, kinesis.HashKey{Hi: rng.Uint64(), Lo: rng.Uint64()})
	}
	slices.SortFunc(cuts, kinesis.HashKey.Compare)
	start := kinesis.HashKey{}
	for i := range open {
		end := kinesis.MaxHashKey
		if i < len(cuts) {
			end = cuts[i]
		}
		info.Shards = append(info.Shards, ShardInfo{Index: i + 1, ID: kinesis.ShardID(i + 1), HashKeyRange: kinesis.HashKeyRange{Start: start, End: end}})
		start = end.Next()
	}
	logs := make([]*shardLog, len(info.Shards))
	for i, sh := range info.Shards {
		logs[i] = &shardLog{id: sh.ID, index: int32(sh.Index)}
	}
	return newView(info, logs)
}

// ownerOf returns the index of the open shard of info whose range holds h, by a scan.
func ownerOf(info *StreamInfo, h kinesis.HashKey) int {
	for _, sh := range info.Shards {
		if !sh.Closed && sh.HashKeyRange.Start.Compare(h) <= 0 && h.Compare(sh.HashKeyRange.End) <= 0 {
			return sh.Index
		}
	}
	return -1
}

// TestRoute_MatchesHashOfEachKey: the batcher sends every record to the open shard that owns
// the MD5 of its partition key, or its ExplicitHashKey, whether the stream has one open shard
// or several, whether keys repeat from one record to the next or not, and whether a repeated
// key carries an ExplicitHashKey that sends it elsewhere.
func TestRoute_MatchesHashOfEachKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, open := range []int{1, 2, 4, 7, 64} {
		t.Run(fmt.Sprintf("open=%d", open), func(t *testing.T) {
			v := routingView(rng, open)
			var in putInput
			var hashes []kinesis.HashKey
			for i := range 2000 {
				key := []byte(fmt.Sprintf("key-%d", rng.IntN(300)))
				if i > 0 && rng.IntN(3) == 0 { // the key of the record before
					key = in.recs[i-1].PartitionKey
				}
				h, hk := kinesis.HashPartitionKey(key), ""
				if rng.IntN(10) == 0 {
					h = kinesis.HashKey{Hi: rng.Uint64(), Lo: rng.Uint64()}
					hk = h.String()
				}
				in.recs = append(in.recs, segment.Record{PartitionKey: key})
				in.hashKeys = append(in.hashKeys, hk)
				hashes = append(hashes, h)
			}
			b := new(batcher)
			if err := b.route(v, in); err != nil {
				t.Fatal(err)
			}
			if len(b.shards) != len(in.recs) {
				t.Fatalf("%d records routed, want %d", len(b.shards), len(in.recs))
			}
			for i, l := range b.shards {
				if want := ownerOf(v.info, hashes[i]); l == nil || int(l.index) != want {
					t.Fatalf("record %d (key %q, hash key %q) went to %v, want shard %d", i, in.recs[i].PartitionKey, in.hashKeys[i], l, want)
				}
			}
		})
	}
}
