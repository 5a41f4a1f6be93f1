package stream_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

func TestStore_Retained(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 1)
	put(t, s, "a", "k", "p0")
	c.Advance(time.Second)
	put(t, s, "a", "k", "p1")
	require.NoError(t, s.SplitShard("a", "shardId-000000000000", half))
	c.Advance(2 * time.Second)
	put(t, s, "a", "a", "c1") // MD5: a in the low half, e in the high one
	c.Advance(time.Second)
	put(t, s, "a", "a", "c2")
	put(t, s, "a", "a", "c3")

	got, err := s.Retained("a")
	require.NoError(t, err)
	var bytes int64
	for i := range got {
		require.Positive(t, got[i].Bytes, got[i].ShardID)
		bytes += got[i].Bytes
		got[i].Bytes = 0
	}
	want := []stream.ShardRetained{
		{ShardID: "shardId-000000000000"},
		{ShardID: "shardId-000000000001"},
		{ShardID: "shardId-000000000002"},
	}
	want[0].Records, want[0].NextOffset, want[0].FirstTimeMs, want[0].LastTimeMs = 2, 2, t0, t0+1000
	want[1].Records, want[1].NextOffset, want[1].FirstTimeMs, want[1].LastTimeMs = 3, 3, t0+3000, t0+4000
	require.Equal(t, want, got)
	usage := s.Usage()
	require.Len(t, usage, 1)
	require.Equal(t, usage[0].Bytes, bytes, "the shards' bytes add up to the stream's Usage")

	_, err = s.Retained("nope")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream nope under account "+acct+" not found.")
}
