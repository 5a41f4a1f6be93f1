package stream_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// TestStore_GetShardIterator_TimestampRange asks for AT_TIMESTAMP iterators at times that a
// time.Time holds but int64 milliseconds do not: after them is the future-timestamp error,
// quoting the largest int64, and before them is the trim horizon.
func TestStore_GetShardIterator_TimestampRange(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 1)
	put(t, s, "a", "k", "first")
	now := c.Now()

	tests := []struct {
		name   string
		ts     time.Time
		future int64 // the timestamp the error quotes; 0: the iterator reads "first"
	}{
		{"now", now, 0},
		{"1 ms after now", now.Add(time.Millisecond), t0 + 1},
		{"2^62 s", time.Unix(1<<62, 0), math.MaxInt64},
		{"the last whole second of int64 ms", time.Unix(math.MaxInt64/1000, 0), math.MaxInt64},
		{"-2^62 s", time.Unix(-1<<62, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a",
				ShardID: "shardId-000000000000", Type: stream.AtTimestamp, Timestamp: tt.ts})
			if tt.future != 0 {
				requireKinesisError(t, err, "InvalidArgumentException", stream.TimestampInFuture(tt.future, t0).Message)
				return
			}
			require.NoError(t, err)
			recs := readAll(t, s, it)
			require.Len(t, recs, 1)
			require.Equal(t, "first", recs[0].data)
		})
	}
}

// TestStore_GetRecords_StreamARN checks the StreamARN of GetRecords against the stream the
// iterator reads.
func TestStore_GetRecords_StreamARN(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "w", 1)
	mustCreate(t, s, "w2", 1)
	put(t, s, "w2", "k", "in w2")
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "w2",
		ShardID: "shardId-000000000000", Type: stream.TrimHorizon})
	require.NoError(t, err)

	var got collector
	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it, StreamARN: s.StreamARN("w")}, &got)
	requireKinesisError(t, err, "InvalidArgumentException",
		stream.IteratorOfOtherStream(s.StreamARN("w"), s.StreamARN("w2")).Message)
	require.Empty(t, got.recs, "records delivered with the StreamARN of another stream")

	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it, StreamARN: s.StreamARN("w2")}, &got)
	require.NoError(t, err)
	require.Len(t, got.recs, 1)
	require.Equal(t, "in w2", got.recs[0].data)
}
