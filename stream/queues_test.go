package stream_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// TestQueues_Check: a queue's delivery state file is the store's own: the integrity check
// finds nothing in a stream directory that has one, and reports a damaged one as damage,
// with its path.
func TestQueues_Check(t *testing.T) {
	dir := t.TempDir()
	func() {
		s, err := stream.Open(dir, stream.Options{})
		require.NoError(t, err)
		defer func() { require.NoError(t, s.Close()) }()
		require.NoError(t, s.CreateStream("s", stream.StreamConfig{Mode: stream.ModeOnDemand}))
		q, err := s.CreateQueue(stream.CreateQueueRequest{Name: "q", StreamARN: s.StreamARN("s")})
		require.NoError(t, err)
		_, err = s.PutRecord(&stream.PutRecordRequest{StreamName: "s", Entry: stream.PutEntry{PartitionKey: "k", Data: []byte("x")}})
		require.NoError(t, err)
		recs, err := s.ReceiveQueueRecords(context.Background(), stream.ReceiveRequest{QueueARN: q.ARN})
		require.NoError(t, err)
		require.Len(t, recs, 1)
	}()
	requireCheckClean(t, dir)

	paths, err := filepath.Glob(filepath.Join(dir, "streams", "*", "queues", "*"))
	require.NoError(t, err)
	require.Len(t, paths, 1)
	require.NoError(t, os.WriteFile(paths[0], []byte("SLQ1 not a state"), 0o644))
	rep, err := stream.Check(dir, stream.CheckOptions{})
	require.NoError(t, err)
	require.Equal(t, 1, rep.Damaged(), "%v", rep.Problems)
	require.Equal(t, paths[0], rep.Problems[0].Path)
	require.Contains(t, rep.Problems[0].Reason, "queue delivery state")
}
