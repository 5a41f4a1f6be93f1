package stream_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// TestStore_Random_Paging interleaves random writes with readers that page through every
// shard with random limits, and compares what they read with a model of what was written:
// a chain of iterators never moves backwards, never repeats a record, and misses none. It
// also checks AT_ and AFTER_SEQUENCE_NUMBER against the model at random records. Replay a
// failure with -seed.
func TestStore_Random_Paging(t *testing.T) {
	rng := testutil.Rand(t)
	c := newClock()
	s := mustOpen(t, testOptions(c))
	const shards = 3
	mustCreate(t, s, "a", shards)
	model := make([][]stream.PutResult, shards) // per shard, in write order
	data := map[string]string{}                 // sequence number → data

	type reader struct {
		shard int
		it    string
		read  int // records of model[shard] read so far
	}
	var readers []*reader
	for i := range shards {
		it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: kinesis.ShardID(i), Type: stream.TrimHorizon})
		require.NoError(t, err)
		readers = append(readers, &reader{shard: i, it: it})
	}
	rounds := 300
	if testing.Short() {
		rounds = 60
	}
	for round := range rounds {
		if rng.IntN(2) == 0 { // write a batch
			entries := make([]stream.PutEntry, 1+rng.IntN(20))
			for i := range entries {
				entries[i] = stream.PutEntry{PartitionKey: fmt.Sprint(rng.IntN(50)), Data: []byte(fmt.Sprint(round, "/", i))}
			}
			res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: entries}, nil)
			require.NoError(t, err)
			for i, r := range res {
				index, err := kinesis.ParseShardID(r.ShardID)
				require.NoError(t, err)
				model[index] = append(model[index], r)
				data[r.SequenceNumber.String()] = string(entries[i].Data)
			}
			c.Advance(time.Duration(rng.IntN(1500)) * time.Millisecond)
			continue
		}
		rd := readers[rng.IntN(len(readers))] // read a page
		recs, res := getRecords(t, s, rd.it, 1+rng.IntN(15))
		for _, r := range recs {
			require.Less(t, rd.read, len(model[rd.shard]), "shard %d: read past what was written", rd.shard)
			want := model[rd.shard][rd.read]
			require.Equal(t, want.SequenceNumber.String(), r.text, "shard %d record %d", rd.shard, rd.read)
			require.Equal(t, data[r.text], r.data)
			rd.read++
		}
		require.NotEmpty(t, res.NextShardIterator)
		rd.it = res.NextShardIterator

		if n := len(model[rd.shard]); n > 0 { // and start a reader at a random record
			k := rng.IntN(n)
			typ, first := stream.AtSequenceNumber, k
			if rng.IntN(2) == 0 {
				typ, first = stream.AfterSequenceNumber, k+1
			}
			it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: kinesis.ShardID(rd.shard), Type: typ,
				StartingSequenceNumber: model[rd.shard][k].SequenceNumber.String()})
			require.NoError(t, err)
			recs, _ := getRecords(t, s, it, 0)
			require.Equal(t, n-first, len(recs), "%s record %d of %d", typ, k, n)
			if len(recs) > 0 {
				require.Equal(t, model[rd.shard][first].SequenceNumber.String(), recs[0].text)
			}
		}
	}
	for _, rd := range readers { // every reader catches up with everything
		rest := readAll(t, s, rd.it)
		require.Equal(t, len(model[rd.shard]), rd.read+len(rest), "shard %d", rd.shard)
	}
}
