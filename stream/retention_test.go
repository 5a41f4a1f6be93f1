package stream_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// TestStore_Retention checks that expired records are never read, that a shorter retention
// hides older records at once and a longer one brings none back, and that a retention pass
// deletes the expired segments.
func TestStore_Retention(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	s := mustOpenDir(t, dir, testOptions(c))
	mustCreate(t, s, "a", 1)
	trimHorizon := func() string {
		t.Helper()
		it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "0", Type: stream.TrimHorizon})
		require.NoError(t, err)
		return dataOf(readAll(t, s, it))
	}
	put(t, s, "a", "k", "0")
	c.Advance(24 * time.Hour)
	put(t, s, "a", "k", "1")
	c.Advance(time.Hour)
	put(t, s, "a", "k", "2")
	require.Equal(t, "12", trimHorizon(), "record 0 is 25 hours old")

	c.Advance(time.Hour)
	require.NoError(t, s.IncreaseStreamRetentionPeriod("a", 48))
	require.Equal(t, "12", trimHorizon(), "a longer retention brings nothing back")

	c.Advance(24 * time.Hour)
	require.Equal(t, "12", trimHorizon(), "48 hours keep record 1")
	require.NoError(t, s.DecreaseStreamRetentionPeriod("a", 24))
	require.Equal(t, "", trimHorizon(), "24 hours hide both")

	first := func() []string { // the shard's first segment file
		m, err := filepath.Glob(filepath.Join(dir, "streams", "a-*", "shardId-000000000000", "00000000000000000000.seg"))
		require.NoError(t, err)
		return m
	}
	require.Len(t, first(), 1)
	s.Expire()
	require.Empty(t, first(), "the segment expired")
	put(t, s, "a", "k", "3")
	require.Equal(t, "3", trimHorizon())
}
