package segment_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
)

func TestWriter_AppendReadScan(t *testing.T) {
	for _, c := range codecs {
		t.Run("codec="+c.String(), func(t *testing.T) {
			w, path := mustCreate(t, 100, segment.WriterOptions{Codec: c, PreallocateBytes: 64 << 10})
			var want []segment.Record
			t0 := int64(1_700_000_000_000)
			for i := range 20 {
				recs := makeRecords(1+i*7, 100, t0+int64(i)*1000)
				info, err := w.Append(recs)
				require.NoError(t, err)
				require.Equal(t, 100+uint64(len(want)), info.FirstOffset, "Append(%d records) first offset", len(recs))
				want = append(want, recs...)
			}
			require.NoError(t, w.Sync())
			r := mustOpenReader(t, path, 0)
			got, _ := readAll(t, r, w.Size())
			requireSameRecords(t, want, got, 100)

			res, err := segment.Scan(path, segment.ScanOptions{Tail: true})
			require.NoError(t, err)
			require.Equal(t, w.Size(), res.End)
			require.Equal(t, w.NextOffset(), res.NextOffset)
			require.Equal(t, 20, res.Batches)
			require.Zero(t, res.DroppedBytes)

			require.NoError(t, w.Close())
			fi, err := os.Stat(path)
			require.NoError(t, err)
			require.Equal(t, res.End, fi.Size(), "file size after Close")
		})
	}
}

func TestWriter_AfterClose(t *testing.T) {
	w, _ := mustCreate(t, 0, segment.WriterOptions{})
	require.NoError(t, w.Close())
	_, err := w.Append(makeRecords(1, 10, 0))
	require.ErrorIs(t, err, segment.ErrClosed)
	require.ErrorIs(t, w.Sync(), segment.ErrClosed)
	require.ErrorIs(t, w.Close(), segment.ErrClosed)
}

func TestCreate_Exists(t *testing.T) {
	_, path := mustCreate(t, 0, segment.WriterOptions{})
	_, err := segment.Create(path, 0, 0, segment.WriterOptions{})
	require.ErrorIs(t, err, os.ErrExist)
}

func TestCreate_Preallocates(t *testing.T) {
	w, path := mustCreate(t, 0, segment.WriterOptions{PreallocateBytes: 64 << 10})
	requireAllocated(t, path, 64<<10)
	_, err := w.Append([]segment.Record{{Data: make([]byte, 100<<10)}})
	require.NoError(t, err)
	requireAllocated(t, path, 128<<10)
	require.NoError(t, w.Close())
	requireAllocated(t, path, w.Size())
}

// requireAllocated checks that the file is size bytes long and not sparse.
func requireAllocated(t *testing.T, path string, size int64) {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, size, fi.Size(), "file size")
	if allocated, ok := allocatedBytes(fi); ok {
		require.GreaterOrEqual(t, allocated, size, "allocated bytes: the file must not be sparse")
	}
}

func TestWriter_AppendErrors(t *testing.T) {
	w, _ := mustCreate(t, 1<<64-4, segment.WriterOptions{})
	_, err := w.Append(nil)
	require.ErrorIs(t, err, segment.ErrEmptyBatch)
	_, err = w.Append([]segment.Record{{TimeMs: 10}, {TimeMs: 9}})
	require.ErrorIs(t, err, segment.ErrTimeOrder)
	_, err = w.Append([]segment.Record{{TimeMs: 10}, {TimeMs: 20}})
	require.NoError(t, err)
	_, err = w.Append([]segment.Record{{TimeMs: 19}})
	require.ErrorIs(t, err, segment.ErrTimeOrder, "a batch must not start before the previous one ended")
	_, err = w.Append([]segment.Record{{TimeMs: 20}, {TimeMs: 20}})
	require.ErrorIs(t, err, segment.ErrOffsetOverflow)
	_, err = w.Append([]segment.Record{{TimeMs: 20, Data: make([]byte, segment.MaxBatchBytes)}})
	require.ErrorIs(t, err, segment.ErrBatchTooLarge)
	info, err := w.Append([]segment.Record{{TimeMs: 20}})
	require.NoError(t, err, "the last offset is usable")
	require.Equal(t, uint64(1<<64-2), info.FirstOffset)
	require.Equal(t, uint64(1<<64-1), w.NextOffset())
}

func TestCreate_UnknownCodec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.seg")
	_, err := segment.Create(path, 0, 0, segment.WriterOptions{Codec: 7})
	require.ErrorIs(t, err, segment.ErrUnknownCodec)
	_, err = os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist, "a failed Create leaves no file")
}

func TestOpenWriter_Reopen(t *testing.T) {
	for _, closeFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("closed=%v", closeFirst), func(t *testing.T) {
			w, path := mustCreate(t, 5, segment.WriterOptions{PreallocateBytes: 4096})
			first := makeRecords(10, 100, 1000)
			_, err := w.Append(first)
			require.NoError(t, err)
			require.NoError(t, w.Sync())
			if closeFirst {
				require.NoError(t, w.Close())
			} else {
				// A crash: the file keeps its preallocated tail. Scan a copy.
				img, err := os.ReadFile(path)
				require.NoError(t, err)
				path = filepath.Join(t.TempDir(), "crashed.seg")
				require.NoError(t, os.WriteFile(path, img, 0o644))
			}
			res, err := segment.Scan(path, segment.ScanOptions{Tail: true})
			require.NoError(t, err)
			w2, err := segment.OpenWriter(path, res.End, res.NextOffset, segment.WriterOptions{Codec: segment.CodecZstd})
			require.NoError(t, err)
			second := makeRecords(30, 100, 2000)
			info, err := w2.Append(second)
			require.NoError(t, err)
			require.Equal(t, uint64(15), info.FirstOffset)
			require.Equal(t, res.End, info.Position)
			require.NoError(t, w2.Close())

			r := mustOpenReader(t, path, 0)
			got, _ := readAll(t, r, w2.Size())
			requireSameRecords(t, append(first, second...), got, 5)
		})
	}
}

func TestOpenWriter_Errors(t *testing.T) {
	w, path := mustCreate(t, 5, segment.WriterOptions{PreallocateBytes: 4096})
	info, err := w.Append(makeRecords(3, 10, 0))
	require.NoError(t, err)
	require.NoError(t, w.Sync())
	img, err := os.ReadFile(path)
	require.NoError(t, err)
	crashed := filepath.Join(t.TempDir(), "crashed.seg")
	require.NoError(t, os.WriteFile(crashed, img, 0o644))
	notSegment := filepath.Join(t.TempDir(), "other")
	require.NoError(t, os.WriteFile(notSegment, make([]byte, 100), 0o644))

	tests := []struct {
		name string
		path string
		end  int64
		next uint64
		want error // nil: any error
	}{
		{"end inside the header", crashed, 3, 5, nil},
		{"end past the file", crashed, int64(len(img)) + 1, 8, nil},
		{"data after end", crashed, info.Position, 5, segment.ErrCorrupt},
		{"empty segment with wrong next offset", filepath.Join(t.TempDir(), "none"), segment.HeaderSize, 6, os.ErrNotExist},
		{"next offset before the segment", crashed, info.End(), 4, nil},
		{"not a segment", notSegment, segment.HeaderSize, 0, segment.ErrShortHeader},
		{"missing", filepath.Join(t.TempDir(), "missing.seg"), segment.HeaderSize, 0, os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := segment.OpenWriter(tt.path, tt.end, tt.next, segment.WriterOptions{})
			require.Error(t, err)
			require.Nil(t, w)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
			}
		})
	}
	w2, err := segment.OpenWriter(crashed, info.End(), info.NextOffset(), segment.WriterOptions{})
	require.NoError(t, err, "OpenWriter at the scanned end")
	require.NoError(t, w2.Close())
}

func TestWriter_SyncConcurrentWithAppend(t *testing.T) {
	w, path := mustCreate(t, 0, segment.WriterOptions{PreallocateBytes: 1 << 16})
	done := make(chan struct{})
	syncErr := make(chan error, 1)
	go func() {
		defer close(syncErr)
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := w.Sync(); err != nil {
				syncErr <- err
				return
			}
			_ = w.Size()
			_ = w.NextOffset()
		}
	}()
	var want []segment.Record
	for i := range 50 {
		recs := makeRecords(20, 50, int64(i)*100)
		_, err := w.Append(recs)
		require.NoError(t, err)
		want = append(want, recs...)
	}
	close(done)
	require.NoError(t, <-syncErr)
	require.NoError(t, w.Close())
	got := readWhatScanKept(t, path, w.Size())
	requireSameRecords(t, want, got, 0)
}

// AppendAt stamps one time on every record: the records' own TimeMs and Offset play no
// part (not even in the time-order check), and the caller's slice is left as it was.
func TestWriter_AppendAt(t *testing.T) {
	for _, c := range codecs {
		t.Run("codec="+c.String(), func(t *testing.T) {
			w, path := mustCreate(t, 7, segment.WriterOptions{Codec: c, PreallocateBytes: 64 << 10})
			recs := makeRecords(5, 50, 0)
			for i := range recs {
				recs[i].TimeMs, recs[i].Offset = int64(100-i), 999 // decreasing: Append would refuse them
			}
			orig := append([]segment.Record(nil), recs...)
			info, err := w.AppendAt(recs, 5000)
			require.NoError(t, err)
			require.Equal(t, orig, recs, "AppendAt must not modify its records")
			require.Equal(t, int64(5000), info.FirstTimeMs)
			require.Equal(t, int64(5000), info.LastTimeMs)
			require.Equal(t, uint64(7), info.FirstOffset)

			_, err = w.AppendAt(recs[:1], 4999)
			require.ErrorIs(t, err, segment.ErrTimeOrder, "a stamped batch must not start before the previous one ended")
			_, err = w.AppendAt(nil, 6000)
			require.ErrorIs(t, err, segment.ErrEmptyBatch)
			_, err = w.AppendAt([]segment.Record{{TimeMs: 1, Data: make([]byte, segment.MaxBatchBytes)}}, 6000)
			require.ErrorIs(t, err, segment.ErrBatchTooLarge)

			require.NoError(t, w.Sync())
			got, _ := readAll(t, mustOpenReader(t, path, 0), w.Size())
			want := append([]segment.Record(nil), orig...)
			for i := range want {
				want[i].TimeMs = 5000
			}
			requireSameRecords(t, want, got, 7)
		})
	}
}
