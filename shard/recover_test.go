package shard_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// copyDir copies the files of src into a new temporary directory and returns it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, e := range entries {
		copyFile(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
	}
	return dst
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.Create(dst)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}

// batchEnds appends n batches of k records of size bytes and returns the byte position after
// each batch in the active segment (which must not roll).
func appendBatches(t *testing.T, s *shard.Shard, n, k, size int) {
	t.Helper()
	for range n {
		_, _, err := s.Append(batch(s.NextOffset(), k, size))
		require.NoError(t, err)
	}
}

// abandoned returns a directory with a shard of n batches of k records of size bytes that
// was left without Close, as after a crash, and the options it was written with.
func abandoned(t *testing.T, opts shard.Options, n, k, size int) string {
	t.Helper()
	dir := t.TempDir()
	s, err := shard.Open(dir, opts)
	require.NoError(t, err)
	appendBatches(t, s, n, k, size)
	s.Abandon()
	return dir
}

func TestOpen_Unclean(t *testing.T) {
	tests := []struct {
		name            string
		checkpointBytes int64
		wantScanAll     bool
	}{
		{"no checkpoint since creation", 1 << 40, true},
		{"checkpoints every 4 KiB", 4 << 10, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := shard.WithCheckpointBytes(shard.Options{MaxSegmentBytes: 1 << 20}, tt.checkpointBytes)
			dir := t.TempDir()
			s, err := shard.Open(dir, opts)
			require.NoError(t, err)
			for range 100 {
				appendBatches(t, s, 1, 10, 100)
				time.Sleep(100 * time.Microsecond) // let checkpoints keep up
			}
			checkpoints := s.Stats().Checkpoints
			s.Abandon()

			s = mustOpen(t, dir, opts)
			st := s.Stats()
			if tt.wantScanAll {
				require.Zero(t, checkpoints)
				require.Greater(t, st.RecoveredBytes, int64(100*10*100), "bytes scanned without a checkpoint")
			} else {
				require.Positive(t, checkpoints)
				require.Less(t, st.RecoveredBytes, int64(3*4<<10), "bytes scanned past the last checkpoint")
			}
			require.Zero(t, st.DroppedBytes)
			requireRecords(t, readAll(t, s, 0), 0, 0, 1000, 100)
			first, _, err := s.Append(batch(1000, 1, 100))
			require.NoError(t, err)
			require.Equal(t, uint64(1000), first, "first offset appended after recovery")
		})
	}
}

func TestOpen_TornTail(t *testing.T) {
	opts := shard.WithCheckpointBytes(shard.Options{MaxSegmentBytes: 1 << 20}, 1<<40)
	src := abandoned(t, opts, 10, 3, 20)
	seg := filepath.Join(src, "00000000000000000000.seg")
	fi, err := os.Stat(seg)
	require.NoError(t, err)
	size := fi.Size()
	// The batch boundaries, from a clean read of the whole segment.
	ends := batchEnds(t, seg, size)
	require.Len(t, ends, 10)

	step := int64(1)
	if testing.Short() {
		step = 7
	}
	// Every byte of the last batch, and every third of the one before it.
	for cut := ends[7]; cut < size; cut += step * (1 + 2*boolInt(cut < ends[8])) {
		dir := copyDir(t, src)
		require.NoError(t, os.Truncate(filepath.Join(dir, "00000000000000000000.seg"), cut))
		s, err := shard.Open(dir, opts)
		require.NoError(t, err, "Open after cutting the segment at %d", cut)
		whole := 0
		for whole < len(ends) && ends[whole] <= cut {
			whole++
		}
		got := readAll(t, s, 0)
		requireRecords(t, got, 0, 0, whole*3, 20)
		wantDropped := nonZeroTail(t, seg, ends[whole-1], cut)
		require.Equal(t, wantDropped, s.Stats().DroppedBytes, "dropped bytes after cutting at %d", cut)
		if cut%8 == 0 {
			_, _, err = s.Append(batch(uint64(whole*3), 3, 20))
			require.NoError(t, err, "Append after cutting at %d", cut)
			requireRecords(t, readAll(t, s, 0), 0, 0, whole*3+3, 20)
		}
		s.Abandon()
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// nonZeroTail returns the length of [from, to) of the file at path up to its last non-zero
// byte: the bytes recovery reports as dropped when it cuts the file at from.
func nonZeroTail(t *testing.T, path string, from, to int64) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	for i := to - 1; i >= from; i-- {
		if b[i] != 0 {
			return i + 1 - from
		}
	}
	return 0
}

// batchEnds returns the position after each batch of the segment at path.
func batchEnds(t *testing.T, path string, size int64) []int64 {
	t.Helper()
	var ends []int64
	_, err := segment.Scan(path, segment.ScanOptions{Batch: func(b segment.BatchInfo) { ends = append(ends, b.End()) }})
	require.NoError(t, err)
	require.Equal(t, size, ends[len(ends)-1])
	return ends
}

func TestOpen_GarbageTail(t *testing.T) {
	opts := shard.WithCheckpointBytes(shard.Options{}, 1<<40)
	dir := abandoned(t, opts, 5, 3, 20)
	path := filepath.Join(dir, "00000000000000000000.seg")
	end := fileSize(t, path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte("bytes no write of ours leaves"))
	require.NoError(t, err)
	require.NoError(t, f.Close())

	// A crash leaves zeros where a write did not land, never other bytes: this is damage.
	_, err = shard.Open(dir, opts)
	var ce *segment.CorruptionError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, path, ce.Path)
	require.Equal(t, end, ce.Offset)
	require.Equal(t, end+int64(len("bytes no write of ours leaves")), fileSize(t, path), "the damaged segment is left as it is")
}

func TestOpen_Corruption(t *testing.T) {
	opts := shard.WithCheckpointBytes(shard.Options{MaxSegmentBytes: 1 << 10}, 1<<40)

	t.Run("active segment, followed by good batches", func(t *testing.T) {
		dir := abandoned(t, shard.WithCheckpointBytes(shard.Options{}, 1<<40), 10, 3, 20)
		path := filepath.Join(dir, "00000000000000000000.seg")
		ends := batchEnds(t, path, fileSize(t, path))
		testutil.FlipByte(t, path, ends[4]+30)
		_, err := shard.Open(dir, shard.Options{})
		var ce *segment.CorruptionError
		require.ErrorAs(t, err, &ce)
		require.ErrorIs(t, err, segment.ErrCorrupt)
		require.Equal(t, path, ce.Path)
		require.Equal(t, ends[4], ce.Offset, "position of the damaged batch")
	})

	t.Run("sealed segment, found by a read", func(t *testing.T) {
		dir := t.TempDir()
		s, err := shard.Open(dir, opts)
		require.NoError(t, err)
		appendBatches(t, s, 20, 5, 200) // one batch per segment
		require.NoError(t, s.Close())
		path := filepath.Join(dir, "00000000000000000015.seg")
		testutil.FlipByte(t, path, segment.HeaderSize+50)

		s, err = shard.Open(dir, opts)
		require.NoError(t, err, "Open does not read sealed segments")
		defer s.Close()
		var got []segment.Record
		next, err := s.Read(0, 0, 0, func(r segment.Record) error { got = append(got, copyRecord(r)); return nil })
		var ce *segment.CorruptionError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, path, ce.Path)
		require.Equal(t, uint64(15), next, "Read next at the damaged batch")
		requireRecords(t, got, 0, 0, 15, 200)
		requireRecords(t, readAll(t, s, 20), 20, 20, 80, 200)
	})
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fi.Size()
}

func TestOpen_Reconcile(t *testing.T) {
	const t0 = 1_000_000_000
	clk := newClock(t0)
	opts := shard.WithCheckpointBytes(shard.Options{MaxSegmentBytes: 1 << 10, Now: clk.Now}, 1<<40)
	tests := []struct {
		name    string
		damage  func(t *testing.T, dir string) // on a closed shard of 20 batches in 20 segments, the last active
		wantErr error
		check   func(t *testing.T, dir string, s *shard.Shard)
	}{
		{
			name: "orphans below the log are removed",
			damage: func(t *testing.T, dir string) {
				// As if retention deleted segment 0 (manifest written) and crashed before
				// unlinking it: fake an older segment below the first listed one.
				keep := t.TempDir()
				copyFile(t, filepath.Join(dir, "00000000000000000000.seg"), filepath.Join(keep, "seg"))
				copyFile(t, filepath.Join(dir, "00000000000000000000.idx"), filepath.Join(keep, "idx"))
				clk.Set(t0 + (24*time.Hour + 30*time.Second).Milliseconds()) // batch 0 expires
				s, err := shard.Open(dir, opts)
				require.NoError(t, err)
				n, _, err := s.DeleteExpired()
				require.NoError(t, err)
				require.Equal(t, 1, n, "segments deleted")
				require.NoError(t, s.Close())
				copyFile(t, filepath.Join(keep, "seg"), filepath.Join(dir, "00000000000000000000.seg"))
				copyFile(t, filepath.Join(keep, "idx"), filepath.Join(dir, "00000000000000000000.idx"))
			},
			check: func(t *testing.T, dir string, s *shard.Shard) {
				_, err := os.Stat(filepath.Join(dir, "00000000000000000000.seg"))
				require.ErrorIs(t, err, os.ErrNotExist)
				_, err = os.Stat(filepath.Join(dir, "00000000000000000000.idx"))
				require.ErrorIs(t, err, os.ErrNotExist)
				requireRecords(t, readAll(t, s, 0), 5, 5, 95, 200)
			},
		},
		{
			name: "a segment created just before a crash, without a header, is removed",
			damage: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "00000000000000000100.seg"), []byte("SH"), 0o644))
			},
			check: func(t *testing.T, dir string, s *shard.Shard) {
				_, err := os.Stat(filepath.Join(dir, "00000000000000000100.seg"))
				require.ErrorIs(t, err, os.ErrNotExist)
				requireRecords(t, readAll(t, s, 0), 0, 0, 100, 200)
			},
		},
		{
			name: "no manifest: every segment is recovered from the directory",
			damage: func(t *testing.T, dir string) {
				require.NoError(t, os.Remove(filepath.Join(dir, "manifest")))
			},
			check: func(t *testing.T, dir string, s *shard.Shard) {
				requireRecords(t, readAll(t, s, 0), 0, 0, 100, 200)
			},
		},
		{
			name: "expired segments missing from the front are accepted",
			damage: func(t *testing.T, dir string) {
				// DeleteExpired on a full disk deletes before it writes the manifest.
				require.NoError(t, os.Remove(filepath.Join(dir, "00000000000000000000.seg")))
				require.NoError(t, os.Remove(filepath.Join(dir, "00000000000000000005.seg")))
				clk.Set(t0 + (24*time.Hour + 90*time.Second).Milliseconds()) // batches 0 and 1 expire
			},
			check: func(t *testing.T, dir string, s *shard.Shard) {
				requireRecords(t, readAll(t, s, 0), 10, 10, 90, 200)
				require.Equal(t, uint64(10), s.FirstOffset())
			},
		},
		{
			name: "unexpired segment missing from the front",
			damage: func(t *testing.T, dir string) {
				require.NoError(t, os.Remove(filepath.Join(dir, "00000000000000000000.seg")))
			},
			wantErr: shard.ErrMissingSegment,
		},
		{
			name: "missing sealed segment",
			damage: func(t *testing.T, dir string) {
				require.NoError(t, os.Remove(filepath.Join(dir, "00000000000000000050.seg")))
			},
			wantErr: shard.ErrMissingSegment,
		},
		{
			name: "missing active segment",
			damage: func(t *testing.T, dir string) {
				require.NoError(t, os.Remove(filepath.Join(dir, "00000000000000000095.seg")))
			},
			wantErr: shard.ErrMissingSegment,
		},
		{
			name: "damaged manifest",
			damage: func(t *testing.T, dir string) {
				testutil.FlipByte(t, filepath.Join(dir, "manifest"), 20)
			},
			wantErr: segment.ErrCorrupt,
		},
		{
			name: "damaged index of a sealed segment is rebuilt",
			damage: func(t *testing.T, dir string) {
				testutil.FlipByte(t, filepath.Join(dir, "00000000000000000030.idx"), 10)
			},
			check: func(t *testing.T, dir string, s *shard.Shard) {
				requireRecords(t, readAll(t, s, 32), 32, 32, 68, 200)
			},
		},
		{
			name: "missing index of a sealed segment is rebuilt",
			damage: func(t *testing.T, dir string) {
				require.NoError(t, os.Remove(filepath.Join(dir, "00000000000000000030.idx")))
			},
			check: func(t *testing.T, dir string, s *shard.Shard) {
				requireRecords(t, readAll(t, s, 0), 0, 0, 100, 200)
				_, err := os.Stat(filepath.Join(dir, "00000000000000000030.idx"))
				require.NoError(t, err, "rebuilt index file")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			clk.Set(t0)
			s, err := shard.Open(dir, opts)
			require.NoError(t, err)
			for range 20 {
				appendBatches(t, s, 1, 5, 200)
				clk.Advance(time.Minute)
			}
			require.NoError(t, s.Close())
			tt.damage(t, dir)
			if tt.wantErr != nil {
				_, err := shard.Open(dir, opts)
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			s = mustOpen(t, dir, opts)
			tt.check(t, dir, s)
		})
	}
}

func TestOpen_RolledAfterManifest(t *testing.T) {
	opts := shard.WithCheckpointBytes(shard.Options{MaxSegmentBytes: 1 << 10}, 1<<40)
	dir := t.TempDir()
	s, err := shard.Open(dir, opts)
	require.NoError(t, err)
	appendBatches(t, s, 5, 5, 200)
	old := filepath.Join(t.TempDir(), "manifest")
	copyFile(t, filepath.Join(dir, "manifest"), old)
	appendBatches(t, s, 5, 5, 200) // rolls 5 more segments
	s.Abandon()
	copyFile(t, old, filepath.Join(dir, "manifest")) // as if the rolls' manifests never landed

	s = mustOpen(t, dir, opts)
	requireRecords(t, readAll(t, s, 0), 0, 0, 50, 200)
	st := s.Stats()
	require.Equal(t, 10, st.Segments)
	first, _, err := s.Append(batch(50, 5, 200))
	require.NoError(t, err)
	require.Equal(t, uint64(50), first)
}

func TestOpen_LazySegments(t *testing.T) {
	opts := shard.Options{MaxSegmentBytes: 1 << 10, MaxMappedSegments: 3, IdleTimeout: 50 * time.Millisecond}
	dir := t.TempDir()
	s, err := shard.Open(dir, opts)
	require.NoError(t, err)
	appendBatches(t, s, 100, 5, 200)
	require.NoError(t, s.Close())

	s = mustOpen(t, dir, opts)
	st := s.Stats()
	require.Equal(t, 100, st.Segments)
	require.Equal(t, 1, st.Mappings, "mappings after open: the active segment only")
	require.Equal(t, 1, st.OpenFiles, "files after open: the active writer only")

	requireRecords(t, readAll(t, s, 0), 0, 0, 500, 200)
	// Each open sealed segment maps its file and its index file.
	require.LessOrEqual(t, s.Stats().Mappings, 1+2*3, "mappings after reading every segment")
	require.Eventually(t, func() bool { return s.Stats().Mappings == 1 }, 5*time.Second, 10*time.Millisecond,
		"mappings once the sealed segments are idle")
}

func TestOpen_Errors(t *testing.T) {
	_, err := shard.Open(t.TempDir(), shard.Options{Sync: shard.SyncPolicy(7)})
	require.ErrorIs(t, err, shard.ErrSyncPolicy)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err = shard.Open(file, shard.Options{})
	require.Error(t, err, "Open on a file")
	require.False(t, errors.Is(err, shard.ErrClosed))
}
