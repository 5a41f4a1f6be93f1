package stream_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/dirlock"
	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/stream"
)

// requireLockedBy checks that err is Open's refusal of dir, held by this process.
func requireLockedBy(t *testing.T, err error, dir string) {
	t.Helper()
	require.ErrorIs(t, err, stream.ErrLocked)
	require.Contains(t, err.Error(), dir+" is in use by this process (pid "+strconv.Itoa(os.Getpid())+")")
}

// TestOpen_Locked opens a data directory that a Store has open: Open is refused, changes
// nothing in the directory (not even the active segments a recovery would cut, or the
// manifests a close would write), and the first Store goes on working.
func TestOpen_Locked(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	s := mustOpenDir(t, dir, testOptions(c))
	mustCreate(t, s, "a", 2)
	put(t, s, "a", "k", "before")
	before := testutil.TreeState(t, dir)

	second, err := stream.Open(dir, testOptions(c))
	require.Nil(t, second)
	requireLockedBy(t, err, dir)
	require.Equal(t, before, testutil.TreeState(t, dir), "the data directory after a refused Open")

	r := put(t, s, "a", "k", "after")
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: r.ShardID, Type: stream.TrimHorizon})
	require.NoError(t, err)
	recs := readAll(t, s, it)
	require.Len(t, recs, 2)
	require.Equal(t, []string{"before", "after"}, []string{recs[0].data, recs[1].data})

	require.NoError(t, s.Close())
	mustOpenDir(t, dir, testOptions(c)) // the lock went with Close
}

// TestOpen_LockedNewDirectory refuses a directory whose lock is held before anything else
// is in it: Open creates no secret, catalog or streams directory.
func TestOpen_LockedNewDirectory(t *testing.T) {
	dir := t.TempDir()
	l, err := dirlock.Acquire(dir)
	require.NoError(t, err)
	defer l.Release()

	_, err = stream.Open(dir, testOptions(newClock()))
	requireLockedBy(t, err, dir)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "entries of the data directory after a refused Open")
	require.Equal(t, dirlock.FileName, entries[0].Name())
}

// TestOpen_FailedOpenUnlocks checks that an Open that fails after taking the lock gives it
// back.
func TestOpen_FailedOpenUnlocks(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret"), []byte("short"), 0o600))
	_, err := stream.Open(dir, testOptions(newClock()))
	require.ErrorIs(t, err, stream.ErrBadSecret)
	l, err := dirlock.Acquire(dir)
	require.NoError(t, err, "lock after a failed Open")
	require.NoError(t, l.Release())
}
