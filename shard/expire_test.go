package shard_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

const hour = time.Hour

// fillHours appends one batch of 10 records of 100 B per hour for n hours, starting at the
// clock's time, and leaves the clock at the last batch's time. Batch i has offsets 10i…10i+9.
func fillHours(t *testing.T, s *shard.Shard, clk *clock, n int) {
	t.Helper()
	for i := range n {
		if i > 0 {
			clk.Advance(hour)
		}
		first, _, err := s.Append(batch(s.NextOffset(), 10, 100))
		require.NoError(t, err)
		require.Equal(t, uint64(i*10), first)
	}
}

func segFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	require.NoError(t, err)
	return files
}

func TestShard_Expiry_Read(t *testing.T) {
	clk := newClock(1_000_000_000)
	s := mustOpen(t, t.TempDir(), shard.Options{Now: clk.Now, Retention: 24 * hour, MaxSegmentBytes: 4 << 10})
	fillHours(t, s, clk, 30) // batches at hours 0…29; now = hour 29
	tests := []struct {
		name      string
		advance   time.Duration // from hour 29
		wantFirst uint64
	}{
		{"nothing expired yet at hour 29: batch 5 is exactly 24 h old", 0, 50},
		{"hour 29 plus 1 ms", time.Millisecond, 60},
		{"hour 40", 11 * hour, 160},
		{"hour 53: the last batch is exactly 24 h old", 24 * hour, 290},
		{"after everything", 24*hour + time.Millisecond, 300},
	}
	base := clk.Ms()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.Set(base + tt.advance.Milliseconds())
			require.Equal(t, tt.wantFirst, s.FirstOffset(), "FirstOffset")
			got := readAll(t, s, 0)
			requireRecords(t, got, tt.wantFirst, tt.wantFirst, 300-int(tt.wantFirst), 100)
			next, err := s.Read(0, 1, 0, func(segment.Record) error { return nil })
			require.NoError(t, err)
			require.Equal(t, min(tt.wantFirst+1, 300), next, "Read(0, 1 record) next")
			off, err := s.OffsetAt(0)
			require.NoError(t, err)
			require.Equal(t, tt.wantFirst, off, "OffsetAt(0)")
			require.Equal(t, tt.wantFirst == 300, s.Empty(), "Empty")
		})
	}
}

func TestShard_DeleteExpired(t *testing.T) {
	clk := newClock(1_000_000_000)
	dir := t.TempDir()
	s := mustOpen(t, dir, shard.Options{Now: clk.Now, Retention: 24 * hour, MaxSegmentBytes: 2 << 10})
	fillHours(t, s, clk, 20) // about one segment per batch; now = hour 19
	before := len(segFiles(t, dir))
	require.Greater(t, before, 15)

	n, bytes, err := s.DeleteExpired()
	require.NoError(t, err)
	require.Zero(t, n, "deleted before anything expired")
	require.Zero(t, bytes)

	clk.Advance(13 * hour) // now = hour 32: batches 0…7 expire (older than hour 8)
	first := s.FirstOffset()
	require.Equal(t, uint64(80), first)
	n, bytes, err = s.DeleteExpired()
	require.NoError(t, err)
	require.Equal(t, 8, n, "segments deleted: one per expired batch")
	require.Positive(t, bytes)
	st := s.Stats()
	require.Equal(t, uint64(1), st.Rolls-uint64(before-1), "rolls by DeleteExpired: the active segment is over MaxSegmentAge")
	require.Len(t, segFiles(t, dir), before-n+1, "segment files after deleting %d", n)
	require.Equal(t, first, s.FirstOffset(), "trim horizon after deletion")
	requireRecords(t, readAll(t, s, 0), 80, 80, 120, 100)
	require.Equal(t, uint64(n), st.DeletedSegments)
	require.Equal(t, before-n+1, st.Segments)

	// An idle shard: everything expires, the active segment included.
	clk.Advance(48 * hour)
	n, _, err = s.DeleteExpired()
	require.NoError(t, err)
	require.Positive(t, n)
	require.Len(t, segFiles(t, dir), 1, "segment files once everything expired: the new active one")
	require.True(t, s.Empty())
	require.Equal(t, uint64(200), s.FirstOffset())
	require.Equal(t, uint64(200), s.NextOffset())

	first2, _, err := s.Append(batch(200, 5, 100))
	require.NoError(t, err)
	require.Equal(t, uint64(200), first2, "appends continue after everything expired")
	requireRecords(t, readAll(t, s, 0), 200, 200, 5, 100)
}

func TestShard_DeleteExpired_Sealed(t *testing.T) {
	clk := newClock(1_000_000_000)
	dir := t.TempDir()
	opts := shard.Options{Now: clk.Now, Retention: 24 * hour, MaxSegmentBytes: 2 << 10}
	s, err := shard.Open(dir, opts)
	require.NoError(t, err)
	fillHours(t, s, clk, 5)
	require.NoError(t, s.Seal())
	clk.Advance(24 * hour)
	require.False(t, s.Empty(), "Empty while the newest record is exactly 24 h old")
	clk.Advance(time.Millisecond)
	require.True(t, s.Empty(), "Empty once every record expired")
	n, _, err := s.DeleteExpired()
	require.NoError(t, err)
	require.Equal(t, 5, n, "segments of a sealed shard deleted")
	require.Empty(t, segFiles(t, dir))
	require.Equal(t, uint64(50), s.NextOffset())
	require.NoError(t, s.Close())

	s = mustOpen(t, dir, opts)
	require.True(t, s.Sealed())
	require.True(t, s.Empty())
	require.Equal(t, uint64(50), s.NextOffset(), "NextOffset of a sealed shard with no segments after reopen")
	require.Equal(t, uint64(50), s.FirstOffset())
	require.Empty(t, readAll(t, s, 0))
}

func TestShard_SetRetention(t *testing.T) {
	clk := newClock(1_000_000_000)
	dir := t.TempDir()
	opts := shard.Options{Now: clk.Now, Retention: 48 * hour, MaxSegmentBytes: 4 << 10}
	s, err := shard.Open(dir, opts)
	require.NoError(t, err)
	fillHours(t, s, clk, 40) // now = hour 39
	require.Equal(t, uint64(0), s.FirstOffset())

	s.SetRetention(24 * hour) // batches before hour 15 expire at once
	require.Equal(t, 24*hour, s.Retention())
	require.Equal(t, uint64(150), s.FirstOffset(), "trim horizon after shortening the retention")
	require.Len(t, readAll(t, s, 0), 250)

	s.SetRetention(72 * hour) // does not bring them back
	require.Equal(t, uint64(150), s.FirstOffset(), "trim horizon after lengthening the retention")
	require.Len(t, readAll(t, s, 0), 250)
	off, err := s.OffsetAt(0)
	require.NoError(t, err)
	require.Equal(t, uint64(150), off)
	require.NoError(t, s.Close())

	opts.Retention = 72 * hour
	s = mustOpen(t, dir, opts)
	require.Equal(t, uint64(150), s.FirstOffset(), "trim horizon after reopening with the longer retention")
	require.Len(t, readAll(t, s, 0), 250)
}

func TestShard_DeleteExpired_WhileReading(t *testing.T) {
	clk := newClock(1_000_000_000)
	dir := t.TempDir()
	s := mustOpen(t, dir, shard.Options{Now: clk.Now, Retention: 24 * hour, MaxSegmentBytes: 2 << 10})
	fillHours(t, s, clk, 10)
	first := segFiles(t, dir)[0]
	calls := 0
	_, err := s.Read(0, 5, 0, func(r segment.Record) error {
		if calls++; calls > 1 {
			return nil
		}
		clk.Advance(48 * hour)
		n, _, err := s.DeleteExpired()
		require.NoError(t, err)
		require.Positive(t, n)
		_, err = os.Stat(first)
		require.NoError(t, err, "the segment being read is still there")
		require.Equal(t, "k0", string(r.PartitionKey), "record bytes while its segment is deleted")
		return nil
	})
	require.NoError(t, err)
	_, err = os.Stat(first)
	require.ErrorIs(t, err, os.ErrNotExist, "the segment is deleted once the read is done")
}
