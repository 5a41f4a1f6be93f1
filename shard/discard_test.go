package shard_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/shard"
)

// TestShard_Discard: Discard closes a shard as Close does for its callers (every later call
// is ErrClosed), and Remove then deletes its files.
func TestShard_Discard(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shard")
	s := mustOpen(t, dir, shard.Options{Sync: shard.SyncAlways, Now: newClock(1700000000000).Now})
	_, _, err := s.Append(batch(0, 10, 100))
	require.NoError(t, err)

	require.NoError(t, s.Discard())
	_, _, err = s.Append(batch(10, 1, 100))
	require.ErrorIs(t, err, shard.ErrClosed, "Append after Discard")
	require.ErrorIs(t, s.Discard(), shard.ErrClosed, "second Discard")
	require.ErrorIs(t, s.Close(), shard.ErrClosed, "Close after Discard")

	require.NoError(t, shard.Remove(dir))
	_, err = os.Stat(dir)
	require.ErrorIs(t, err, os.ErrNotExist)
}
