package shard

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
)

// sealedShard returns a closed-and-reopened shard of n sealed segments (one batch each) and
// an active one, with the cache limits given.
func sealedShard(t *testing.T, n, maxMapped int, idle time.Duration) *Shard {
	t.Helper()
	dir := t.TempDir()
	opts := Options{MaxSegmentBytes: 1 << 10, MaxMappedSegments: maxMapped, IdleTimeout: idle}
	s, err := Open(dir, opts)
	require.NoError(t, err)
	for range n + 1 {
		recs := make([]segment.Record, 5)
		for i := range recs {
			recs[i] = segment.Record{Data: make([]byte, 200)}
		}
		_, _, err := s.Append(recs)
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	s, err = Open(dir, opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.Len(t, s.segs, n+1)
	return s
}

// openSegs returns the bases of the unpinned open segments, in cache order.
func openSegs(s *Shard) []uint64 {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	var out []uint64
	for _, g := range s.cache.open {
		out = append(out, g.base)
	}
	return out
}

func TestCache_EvictsLeastRecentlyRead(t *testing.T) {
	s := sealedShard(t, 6, 2, time.Hour)
	read := func(i int) {
		t.Helper()
		g := s.segs[i]
		_, _, err := s.cache.acquire(g)
		require.NoError(t, err)
		s.cache.release(g)
	}
	read(0)
	read(1)
	require.Equal(t, []uint64{0, 5}, openSegs(s))
	read(0) // 0 is now more recent than 1
	read(2)
	require.ElementsMatch(t, []uint64{0, 10}, openSegs(s), "segment 1 (offset 5) was the least recently read")
	require.Equal(t, 1+2*2, s.cache.mappings(), "the active segment, and two sealed ones with their index files")
}

func TestCache_InUseIsNotEvicted(t *testing.T) {
	s := sealedShard(t, 4, 1, time.Hour)
	g0, g1 := s.segs[0], s.segs[1]
	r0, _, err := s.cache.acquire(g0)
	require.NoError(t, err)
	_, _, err = s.cache.acquire(g1)
	require.NoError(t, err)
	require.Len(t, openSegs(s), 2, "both in use: over the limit, none closed")
	_, _, err = r0.ReadBatch(nil, segment.HeaderSize, s.meta(g0).End)
	require.NoError(t, err, "reading a segment in use")
	s.cache.release(g1)
	s.cache.release(g0)
	_, _, err = s.cache.acquire(s.segs[2])
	require.NoError(t, err)
	s.cache.release(s.segs[2])
	require.Len(t, openSegs(s), 1, "back to the limit once released")
}

func TestCache_IdleSweep(t *testing.T) {
	s := sealedShard(t, 3, 4, 20*time.Millisecond)
	for _, g := range s.segs[:3] {
		_, _, err := s.cache.acquire(g)
		require.NoError(t, err)
		s.cache.release(g)
	}
	require.Len(t, openSegs(s), 3)
	require.Eventually(t, func() bool { return len(openSegs(s)) == 0 }, 5*time.Second, 5*time.Millisecond)
	require.Equal(t, 1, s.cache.mappings(), "the active segment stays mapped")
	require.NotNil(t, s.segs[3].r, "the active segment's reader")
}

func TestCache_RetireWhileInUse(t *testing.T) {
	s := sealedShard(t, 2, 4, time.Hour)
	g := s.segs[0]
	_, _, err := s.cache.acquire(g)
	require.NoError(t, err)
	s.cache.retire(g, true)
	require.FileExists(t, g.path, "a segment in use keeps its file")
	_, _, err = s.cache.acquire(g)
	require.ErrorIs(t, err, errGone, "acquire of a retired segment")
	s.cache.release(g)
	require.NoFileExists(t, g.path, "deleted once released")
	require.NoFileExists(t, filepath.Join(s.dir, indexName(g.base)))
}
