package stream_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// TestStore_Recovery reports what Open recovered: nothing after a clean Close; after a
// crash (a copy of the directory of a running store), the active segments it scanned and
// the torn tail it cut.
func TestStore_Recovery(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	dir, crashed := t.TempDir(), t.TempDir()
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	require.Equal(t, stream.Recovery{Clean: true, Took: s.Recovery().Took}, s.Recovery(), "Recovery of a new store")
	mustCreate(t, s, "a", 2)
	for i := range 20 {
		put(t, s, "a", fmt.Sprint(i), fmt.Sprint("record ", i))
	}
	copyDir(t, dir, crashed)
	require.NoError(t, s.Close())

	s = mustOpenDir(t, dir, opts)
	got := s.Recovery()
	require.Equal(t, stream.Recovery{Clean: true, Streams: 1, Shards: 2, Took: got.Took}, got, "Recovery after a clean Close")
	n, err := s.StreamCount()
	require.NoError(t, err)
	require.Equal(t, 1, n, "StreamCount")

	// The crash image: the first shard's segment file ends in 7 bytes of garbage.
	segs, err := filepath.Glob(filepath.Join(crashed, "streams", "*", "shardId-000000000000", "*.seg"))
	require.NoError(t, err)
	require.NotEmpty(t, segs)
	f, err := os.OpenFile(segs[len(segs)-1], os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte{7, 0, 0, 0, 1, 2, 3})
	require.NoError(t, err)
	require.NoError(t, f.Close())

	s = mustOpenDir(t, crashed, opts)
	got = s.Recovery()
	require.False(t, got.Clean, "Recovery after a crash: %+v", got)
	require.Equal(t, 2, got.ScannedSegments, "ScannedSegments: both active segments")
	require.Positive(t, got.ScannedBytes, "ScannedBytes")
	require.Equal(t, 1, got.TornTails, "TornTails")
	// The segment is preallocated: the cut runs from the end of its records to the end of
	// the garbage.
	require.Greater(t, got.DroppedBytes, int64(7), "DroppedBytes")
	require.Equal(t, 2, got.Shards, "Shards")

	require.NoError(t, s.Close())
	_, err = s.StreamCount()
	require.ErrorIs(t, err, stream.ErrClosed, "StreamCount after Close")
}
