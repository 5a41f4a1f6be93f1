package stream_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// TestStore_Restart closes a store and opens it again: streams, records, retention and
// tags are back, an iterator issued before the restart still reads, and a stream deleted
// and created again rejects it.
func TestStore_Restart(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	opts := testOptions(c)
	opts.Shard.Sync = shard.SyncAlways
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	mustCreate(t, s, "a", 2)
	require.NoError(t, s.IncreaseStreamRetentionPeriod("a", 48))
	require.NoError(t, s.AddTagsToStream("a", map[string]string{"k": "v"}))
	var want []stream.PutResult
	for i := range 10 {
		want = append(want, put(t, s, "a", fmt.Sprint(i), fmt.Sprint(i)))
	}
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-1", Type: stream.TrimHorizon})
	require.NoError(t, err)
	first, res := getRecords(t, s, it, 2)
	require.Len(t, first, 2)
	require.NoError(t, s.Close())

	c.Advance(time.Minute)
	s = mustOpenDir(t, dir, opts)
	info, err := s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Equal(t, 48, info.RetentionHours)
	require.Equal(t, []stream.Tag{{Key: "k", Value: "v"}}, info.Tags)
	require.Equal(t, 2, info.OpenShardCount())

	rest := readAll(t, s, res.NextShardIterator) // issued before the restart
	got := append(first, rest...)
	var wantShard1 []string
	for _, r := range want {
		if r.ShardID == "shardId-000000000001" {
			wantShard1 = append(wantShard1, r.SequenceNumber.String())
		}
	}
	var gotSeqs []string
	for _, r := range got {
		gotSeqs = append(gotSeqs, r.text)
	}
	require.Equal(t, wantShard1, gotSeqs)

	// Writes go on where they stopped.
	r := put(t, s, "a", "0", "after")
	require.Equal(t, want[0].ShardID, r.ShardID)
	require.Equal(t, 1, r.SequenceNumber.Compare(want[len(want)-1].SequenceNumber))

	// A stream created again under the same name does not take the old iterator.
	require.NoError(t, s.DeleteStream("a"))
	mustCreate(t, s, "a", 2)
	require.NoError(t, s.Close())
	s = mustOpenDir(t, dir, opts)
	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: res.NextShardIterator}, &collector{})
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Shard shardId-000000000001 in stream a under account "+acct+" does not exist")
}

// TestStore_Restart_FinishesDueChanges restarts a store in the middle of status changes:
// those that came due while it was down are done at Open.
func TestStore_Restart_FinishesDueChanges(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	opts := testOptions(c)
	opts.CreateDelay, opts.DeleteDelay = time.Second, time.Second
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	require.NoError(t, s.CreateStream("new", stream.StreamConfig{ShardCount: 2}))
	require.NoError(t, s.CreateStream("old", stream.StreamConfig{ShardCount: 1}))
	c.Advance(time.Second)
	require.NoError(t, s.DeleteStream("old"))
	require.NoError(t, s.Close())

	c.Advance(time.Second)
	s = mustOpenDir(t, dir, opts)
	names, _, err := s.ListStreams(0, "", "")
	require.NoError(t, err)
	require.Len(t, names, 1)
	require.Equal(t, "new", names[0].Name)
	require.Equal(t, stream.StatusActive, names[0].Status)
	put(t, s, "new", "k", "v")
}
