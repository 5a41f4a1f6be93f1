package stream_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/stream"
)

// recordsRequest gives entries in the Records form, each record with a TimeMs and Offset
// that PutRecords must ignore; with hashKeys, HashKeys stops after the last record that has
// one.
func recordsRequest(name string, entries []stream.PutEntry, hashKeys bool) *stream.PutRecordsRequest {
	req := &stream.PutRecordsRequest{StreamName: name}
	for i, e := range entries {
		req.Records = append(req.Records, segment.Record{Offset: 77, TimeMs: int64(1000 - i), PartitionKey: []byte(e.PartitionKey), Data: e.Data})
		if hashKeys {
			req.HashKeys = append(req.HashKeys, e.ExplicitHashKey)
		}
	}
	for len(req.HashKeys) > 0 && req.HashKeys[len(req.HashKeys)-1] == "" {
		req.HashKeys = req.HashKeys[:len(req.HashKeys)-1] // the records past HashKeys have none
	}
	return req
}

// The Records form routes, numbers and stores records as Entries do, whether they go to one
// shard (appended as given) or to several (grouped per shard), and leaves the caller's
// records as they were.
func TestStore_PutRecords_RecordsForm(t *testing.T) {
	tests := []struct {
		name     string
		shards   int
		entries  []stream.PutEntry
		hashKeys bool
		want     []int // shard of each entry
	}{
		{"one shard", 1, []stream.PutEntry{
			{PartitionKey: "a", Data: []byte("0")}, {PartitionKey: "b", Data: []byte("1")}, {PartitionKey: "c", Data: []byte("2")},
		}, false, []int{0, 0, 0}},
		{"all to one of several shards", 3, []stream.PutEntry{
			{PartitionKey: "b", Data: []byte("0")}, {PartitionKey: "f", Data: []byte("1")},
		}, false, []int{1, 1}},
		{"several shards", 3, []stream.PutEntry{ // the MD5 examples of KINESIS-API.md §3.6
			{PartitionKey: "a", Data: []byte("0")},
			{PartitionKey: "b", Data: []byte("1")},
			{PartitionKey: "x", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte("2")},
			{PartitionKey: "f", Data: []byte("3")},
			{PartitionKey: "x", ExplicitHashKey: "0", Data: []byte("4")},
		}, true, []int{0, 1, 2, 1, 0}},
		{"hash keys for the first records only", 3, []stream.PutEntry{
			{PartitionKey: "x", ExplicitHashKey: "0", Data: []byte("0")}, {PartitionKey: "b", Data: []byte("1")},
		}, true, []int{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpen(t, testOptions(newClock()))
			mustCreate(t, s, "a", tt.shards)
			req := recordsRequest("a", tt.entries, tt.hashKeys)
			before := append([]segment.Record(nil), req.Records...)
			res, err := s.PutRecords(req, nil)
			require.NoError(t, err)
			require.Equal(t, before, req.Records, "PutRecords must not modify the caller's records")
			require.Len(t, res, len(tt.entries))
			perShard := map[int]uint64{}
			for i, sh := range tt.want {
				require.Empty(t, res[i].ErrorCode, "record %d", i)
				require.Equal(t, kinesis.ShardID(sh), res[i].ShardID, "record %d", i)
				require.Equal(t, perShard[sh], res[i].SequenceNumber.Counter, "record %d: offsets follow request order within a shard", i)
				perShard[sh]++
			}
			for sh := range tt.shards {
				it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: kinesis.ShardID(sh), Type: stream.TrimHorizon})
				require.NoError(t, err)
				var want []string
				for i, w := range tt.want {
					if w == sh {
						want = append(want, tt.entries[i].PartitionKey+"="+string(tt.entries[i].Data))
					}
				}
				var got []string
				for _, r := range readAll(t, s, it) {
					got = append(got, r.key+"="+r.data)
					require.Equal(t, int64(t0), r.arrivalMs, "the shard's arrival time, not the record's TimeMs")
				}
				require.Equal(t, want, got, "shard %d", sh)
			}
		})
	}
}

// A bad hash key in HashKeys fails the whole request with the error Entries get.
func TestStore_PutRecords_RecordsFormBadHashKey(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 2)
	req := recordsRequest("a", []stream.PutEntry{{PartitionKey: "k"}, {PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211456"}}, true)
	res, err := s.PutRecords(req, nil)
	requireKinesisError(t, err, kinesis.TypeInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "+
		"Specified value was 340282366920938463463374607431768211456")
	require.Empty(t, res)
}
