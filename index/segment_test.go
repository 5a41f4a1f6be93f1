package index_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
)

// writtenSegment is a real segment written with segment.Writer, with every record's offset
// and time remembered for comparison.
type writtenSegment struct {
	path  string
	base  uint64
	size  int64
	times []int64 // times[o-base] is the arrival time of offset o
}

// mustWriteSegment writes a segment of random batches (1 to 60 records of up to 400 bytes,
// times that often repeat across batches) and returns it closed.
func mustWriteSegment(t *testing.T, dir string, base uint64, batches int, codec segment.Codec) writtenSegment {
	t.Helper()
	r := testutil.Rand(t)
	seg := writtenSegment{path: filepath.Join(dir, "segment.seg"), base: base}
	w, err := segment.Create(seg.path, base, 1_767_225_600_000, segment.WriterOptions{Codec: codec})
	require.NoError(t, err)
	ms := int64(1_767_225_600_000)
	data := make([]byte, 400)
	for range batches {
		recs := make([]segment.Record, 1+r.IntN(60))
		for j := range recs {
			recs[j] = segment.Record{TimeMs: ms, PartitionKey: []byte("pk"), Data: data[:r.IntN(len(data))]}
			seg.times = append(seg.times, ms)
		}
		_, err := w.Append(recs)
		require.NoError(t, err)
		ms += r.Int64N(3)
	}
	require.NoError(t, w.Close())
	fi, err := os.Stat(seg.path)
	require.NoError(t, err)
	seg.size = fi.Size()
	return seg
}

// scanTo reads batches from pos and returns the first record for which stop is true and
// the position of its batch.
func scanTo(t *testing.T, r *segment.Reader, pos, end int64, stop func(segment.Record) bool) (segment.Record, int64, bool) {
	t.Helper()
	var recs []segment.Record
	for {
		info, got, err := r.ReadBatch(recs[:0], pos, end)
		if errors.Is(err, io.EOF) {
			return segment.Record{}, pos, false
		}
		require.NoError(t, err)
		for _, rec := range got {
			if stop(rec) {
				return rec, pos, true
			}
		}
		recs, pos = got, info.End()
	}
}

// TestIndex_Segment_SeekThenScan is the index-versus-scan property on a real segment: for
// every offset, reading forward from Seek's entry finds that offset; for every time, reading
// forward from SeekTime's entry finds the first record at or after it, as a full scan does.
func TestIndex_Segment_SeekThenScan(t *testing.T) {
	for _, codec := range []segment.Codec{segment.CodecNone, segment.CodecS2} {
		t.Run("codec="+codec.String(), func(t *testing.T) {
			dir := t.TempDir()
			seg := mustWriteSegment(t, dir, 5000, 400, codec)
			idxPath := filepath.Join(dir, "segment.idx")
			x, m, rebuilt, err := index.Load(idxPath, seg.base, seg.size, 0, rebuildFrom(seg.path))
			require.NoError(t, err)
			t.Cleanup(func() { x.Close() })
			require.True(t, rebuilt, "first Load rebuilt")
			require.Equal(t, seg.base+uint64(len(seg.times)), m.NextOffset, "Meta.NextOffset")
			require.Equal(t, seg.size, m.End, "Meta.End")
			require.Greater(t, x.Len(), 1, "entries")

			y, _, rebuilt, err := index.Load(idxPath, seg.base, seg.size, 0, rebuildFrom(seg.path))
			require.NoError(t, err)
			t.Cleanup(func() { y.Close() })
			require.False(t, rebuilt, "second Load rebuilt")

			r, err := segment.OpenReader(seg.path, 0)
			require.NoError(t, err)
			t.Cleanup(func() { r.Close() })

			for i, ix := range []*index.Index{x, y} {
				// Every offset once (in memory, uncompressed); every third otherwise, as
				// decompressing S2 batches over and over is slow under -race.
				step := 1
				if i > 0 || codec != segment.CodecNone {
					step = 3
				}
				checkOffsets(t, ix, r, seg, m, step)
				checkTimes(t, ix, r, seg, m)
			}
		})
	}
}

func checkOffsets(t *testing.T, x *index.Index, r *segment.Reader, seg writtenSegment, m index.Meta, step int) {
	t.Helper()
	if testing.Short() {
		step *= 7
	}
	for i := 0; i < len(seg.times); i += step {
		off := seg.base + uint64(i)
		e, ok := x.Seek(off)
		require.True(t, ok)
		require.LessOrEqual(t, e.Offset, off, "Seek(%d) = %v is past the offset", off, e)
		rec, pos, found := scanTo(t, r, e.Position, m.End, func(rec segment.Record) bool { return rec.Offset >= off })
		require.True(t, found, "offset %d not found scanning from %v", off, e)
		require.Equal(t, off, rec.Offset, "scan from Seek(%d)", off)
		require.Less(t, pos-e.Position, int64(index.DefaultIntervalBytes), "Seek(%d) = %v: its batch is at %d, more than one interval on", off, e, pos)
		require.Equal(t, seg.times[i], rec.TimeMs, "time of offset %d", off)
	}
}

func checkTimes(t *testing.T, x *index.Index, r *segment.Reader, seg writtenSegment, m index.Meta) {
	t.Helper()
	for ms := m.FirstTimeMs - 1; ms <= m.LastTimeMs+1; ms++ {
		want, wantFound := uint64(0), false
		for i, tm := range seg.times { // the reference: a linear scan of every record
			if tm >= ms {
				want, wantFound = seg.base+uint64(i), true
				break
			}
		}
		e, ok := x.SeekTime(ms)
		require.True(t, ok)
		rec, _, found := scanTo(t, r, e.Position, m.End, func(rec segment.Record) bool { return rec.TimeMs >= ms })
		require.Equal(t, wantFound, found, "SeekTime(%d) = %v: found", ms, e)
		if found {
			require.Equal(t, want, rec.Offset, "first offset at or after time %d, scanning from %v", ms, e)
		}
	}
}

// TestLoad_Segment_Rebuilds checks that Load rebuilds the index of a real segment when its
// file is damaged or describes a different size of the segment, and that the rebuilt file
// is the same as the first one.
func TestLoad_Segment_Rebuilds(t *testing.T) {
	dir := t.TempDir()
	seg := mustWriteSegment(t, dir, 0, 100, segment.CodecNone)
	idxPath := filepath.Join(dir, "segment.idx")
	x, _, _, err := index.Load(idxPath, seg.base, seg.size, 0, rebuildFrom(seg.path))
	require.NoError(t, err)
	x.Close()
	good, err := os.ReadFile(idxPath)
	require.NoError(t, err)

	tests := []struct {
		name    string
		damage  func() error
		size    int64
		rebuilt bool
	}{
		{"good", func() error { return nil }, seg.size, false},
		{"deleted", func() error { return os.Remove(idxPath) }, seg.size, true},
		{"truncated", func() error { return os.Truncate(idxPath, int64(len(good)/2)) }, seg.size, true},
		{"zeroed", func() error { return os.WriteFile(idxPath, make([]byte, len(good)), 0o644) }, seg.size, true},
		{"segment grew", func() error { return nil }, seg.size + 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(idxPath, good, 0o644))
			require.NoError(t, tt.damage())
			x, m, rebuilt, err := index.Load(idxPath, seg.base, tt.size, 0, rebuildFrom(seg.path))
			require.NoError(t, err)
			defer x.Close()
			require.Equal(t, tt.rebuilt, rebuilt, "rebuilt")
			require.Equal(t, seg.size, m.End)
			got, err := os.ReadFile(idxPath)
			require.NoError(t, err)
			require.Equal(t, good, got, "index file after Load")
		})
	}
}
