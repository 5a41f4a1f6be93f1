package stream_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// put writes one record and returns its result.
func put(t testing.TB, s *stream.Store, name, key, data string) stream.PutResult {
	t.Helper()
	r, err := s.PutRecord(&stream.PutRecordRequest{StreamName: name, Entry: stream.PutEntry{PartitionKey: key, Data: []byte(data)}})
	require.NoError(t, err)
	return r
}

func TestStore_PutRecords_RoutesAndNumbers(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 3)
	// The MD5 examples of KINESIS-API.md §3.6 for 3 shards: a → 0, b → 1, e → 2, f → 1.
	entries := []stream.PutEntry{
		{PartitionKey: "a", Data: []byte("0")},
		{PartitionKey: "b", Data: []byte("1")},
		{PartitionKey: "e", Data: []byte("2")},
		{PartitionKey: "f", Data: []byte("3")},
		{PartitionKey: "x", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte("4")},
		{PartitionKey: "x", ExplicitHashKey: "0", Data: []byte("5")},
		{PartitionKey: "b", Data: []byte("6")},
	}
	res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: entries}, nil)
	require.NoError(t, err)
	require.Len(t, res, len(entries))
	want := []struct {
		shard  int
		offset uint64
	}{{0, 0}, {1, 0}, {2, 0}, {1, 1}, {2, 1}, {0, 1}, {1, 2}}
	for i, w := range want {
		r := res[i]
		require.Empty(t, r.ErrorCode, "record %d", i)
		require.Equal(t, kinesis.ShardID(w.shard), r.ShardID, "record %d", i)
		require.Equal(t, kinesis.SequenceNumber{ShardCreatedSec: t0 / 1000, ShardIndex: int32(w.shard), Counter: w.offset, TimeSec: t0 / 1000},
			r.SequenceNumber, "record %d", i)
	}

	// A second request continues each shard's offsets, at the new time.
	c.Advance(2 * time.Second)
	res, err = s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: entries[:1]}, res)
	require.NoError(t, err)
	require.Len(t, res, 1, "results are appended to results[:0]")
	require.Equal(t, kinesis.SequenceNumber{ShardCreatedSec: t0 / 1000, Counter: 2, TimeSec: t0/1000 + 2}, res[0].SequenceNumber)
}

func TestStore_PutRecords_Errors(t *testing.T) {
	opts := testOptions(newClock())
	opts.CreateDelay = time.Second
	s := mustOpen(t, opts)
	require.NoError(t, s.CreateStream("creating", stream.StreamConfig{ShardCount: 1}))
	opts.CreateDelay = 0
	s2 := mustOpen(t, opts)
	mustCreate(t, s2, "a", 1)
	tests := []struct {
		name  string
		store *stream.Store
		req   stream.PutRecordsRequest
		typ   string
		msg   string
	}{
		{"no stream", s2, stream.PutRecordsRequest{StreamName: "nope", Entries: []stream.PutEntry{{PartitionKey: "k"}}},
			kinesis.TypeResourceNotFound, "Stream nope under account " + acct + " not found."},
		{"creating", s, stream.PutRecordsRequest{StreamName: "creating", Entries: []stream.PutEntry{{PartitionKey: "k"}}},
			kinesis.TypeResourceNotFound, "Stream creating under account " + acct + " not found."},
		{"hash key too big", s2, stream.PutRecordsRequest{StreamName: "a", Entries: []stream.PutEntry{
			{PartitionKey: "k"}, {PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211456"}}},
			kinesis.TypeInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. " +
				"Specified value was 340282366920938463463374607431768211456"},
		{"dry run", s2, stream.PutRecordsRequest{StreamName: "a", DryRun: true, Entries: []stream.PutEntry{{PartitionKey: "k"}}},
			kinesis.TypeDryRunOperation, "Request would have succeeded, but DryRun flag is set."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.store.PutRecords(&tt.req, nil)
			requireKinesisError(t, err, tt.typ, tt.msg)
			require.Empty(t, res)
		})
	}
	info, err := s2.DescribeStreamSummary("a")
	require.NoError(t, err)
	it, err := s2.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: info.Shards[0].ID, Type: stream.TrimHorizon})
	require.NoError(t, err)
	require.Empty(t, readAll(t, s2, it), "failed requests write nothing")
}

func TestStore_PutRecord(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 2)
	first := put(t, s, "a", "b", "x")
	require.Equal(t, "shardId-000000000001", first.ShardID)
	second, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "b", Data: []byte("y")},
		SequenceNumberForOrdering: first.SequenceNumber.String()})
	require.NoError(t, err)
	require.Equal(t, 1, second.SequenceNumber.Compare(first.SequenceNumber))

	outside := "1" + strings.Repeat("0", 45) // between the legacy and the current layouts
	future := kinesis.SequenceNumber{ShardCreatedSec: t0 / 1000, TimeSec: t0/1000 + 10}
	bad := "ExclusiveMinimumSequenceNumber %s used in PutRecord on stream a under account " + acct + " is invalid."
	tests := []struct {
		name string
		req  stream.PutRecordRequest
		typ  string
		msg  string
	}{
		{"ordering number invalid", stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "k"}, SequenceNumberForOrdering: outside},
			kinesis.TypeInvalidArgument, fmt.Sprintf(bad, outside)},
		{"ordering number in a legacy layout", stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "k"},
			SequenceNumberForOrdering: "12", DryRun: true}, kinesis.TypeDryRunOperation, "Request would have succeeded, but DryRun flag is set."},
		{"ordering number in the future", stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "k"}, SequenceNumberForOrdering: future.String()},
			kinesis.TypeInvalidArgument, fmt.Sprintf(bad, future.String())},
		{"bad hash key", stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "k", ExplicitHashKey: strings.Repeat("9", 39)}},
			kinesis.TypeInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was " + strings.Repeat("9", 39)},
		{"no stream", stream.PutRecordRequest{StreamName: "b", Entry: stream.PutEntry{PartitionKey: "k"}},
			kinesis.TypeResourceNotFound, "Stream b under account " + acct + " not found."},
		{"dry run", stream.PutRecordRequest{StreamName: "a", Entry: stream.PutEntry{PartitionKey: "k"}, DryRun: true},
			kinesis.TypeDryRunOperation, "Request would have succeeded, but DryRun flag is set."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutRecord(&tt.req)
			requireKinesisError(t, err, tt.typ, tt.msg)
		})
	}
}

// TestStore_PutRecords_Concurrent writes from several goroutines to several shards and
// checks that every shard's offsets are dense and each request's records are in order.
func TestStore_PutRecords_Concurrent(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 4)
	const writers, requests, per = 4, 20, 25
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			for r := range requests {
				entries := make([]stream.PutEntry, per)
				for i := range entries {
					entries[i] = stream.PutEntry{PartitionKey: fmt.Sprint(w, "-", i%7), Data: []byte(fmt.Sprint(w, "/", r, "/", i))}
				}
				res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: entries}, nil)
				if err != nil {
					errs <- err
					return
				}
				last := map[string]uint64{}
				for _, x := range res {
					if prev, ok := last[x.ShardID]; ok && x.SequenceNumber.Counter != prev+1 {
						errs <- fmt.Errorf("shard %s: offset %d after %d within one request", x.ShardID, x.SequenceNumber.Counter, prev)
						return
					}
					last[x.ShardID] = x.SequenceNumber.Counter
				}
			}
			errs <- nil
		}()
	}
	for range writers {
		require.NoError(t, <-errs)
	}
	total := 0
	for i := range 4 {
		it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: kinesis.ShardID(i), Type: stream.TrimHorizon})
		require.NoError(t, err)
		recs := readAll(t, s, it)
		for j, r := range recs {
			require.Equal(t, uint64(j), r.seq.Counter, "shard %d record %d", i, j)
		}
		total += len(recs)
	}
	require.Equal(t, writers*requests*per, total)
}
