package segment_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
)

var codecs = []segment.Codec{segment.CodecNone, segment.CodecS2, segment.CodecZstd}

// makeRecords returns n records of about size bytes with compressible data, times from t0.
func makeRecords(n, size int, t0 int64) []segment.Record {
	recs := make([]segment.Record, n)
	for i := range recs {
		recs[i] = segment.Record{
			TimeMs:       t0 + int64(i/3),
			PartitionKey: fmt.Appendf(nil, "key-%d", i%7),
			Data:         bytes.Repeat(fmt.Appendf(nil, "record %d;", i), max(1, size/10)),
		}
	}
	return recs
}

// requireSameRecords checks that got holds want's keys, data and times, with offsets from first.
func requireSameRecords(t *testing.T, want, got []segment.Record, first uint64) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, first+uint64(i), got[i].Offset, "record %d offset", i)
		require.Equal(t, want[i].TimeMs, got[i].TimeMs, "record %d time", i)
		require.True(t, bytes.Equal(want[i].PartitionKey, got[i].PartitionKey), "record %d key %q, want %q", i, got[i].PartitionKey, want[i].PartitionKey)
		require.True(t, bytes.Equal(want[i].Data, got[i].Data), "record %d data differs", i)
	}
}

// mustCreate creates a segment in a fresh directory and closes it when the test ends.
func mustCreate(t *testing.T, first uint64, opts segment.WriterOptions) (*segment.Writer, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("%020d.seg", first))
	w, err := segment.Create(path, first, 1_700_000_000_000, opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := w.Close(); err != nil && !errors.Is(err, segment.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return w, path
}

// mustOpenReader opens a reader and closes it when the test ends.
func mustOpenReader(t *testing.T, path string, capacity int64) *segment.Reader {
	t.Helper()
	r, err := segment.OpenReader(path, capacity)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// readAll reads every batch of r up to limit and returns copies of the records.
func readAll(t *testing.T, r *segment.Reader, limit int64) ([]segment.Record, []segment.BatchInfo) {
	t.Helper()
	var all []segment.Record
	var infos []segment.BatchInfo
	var recs []segment.Record
	for pos := int64(segment.HeaderSize); ; {
		info, got, err := r.ReadBatch(recs, pos, limit)
		if errors.Is(err, io.EOF) {
			return all, infos
		}
		require.NoError(t, err)
		for _, rec := range got {
			rec.PartitionKey = bytes.Clone(rec.PartitionKey)
			rec.Data = bytes.Clone(rec.Data)
			all = append(all, rec)
		}
		infos = append(infos, info)
		recs = got
		pos = info.End()
	}
}

func TestAppendBatch_RoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		size  int
		first uint64
	}{
		{"one empty record", 1, 0, 0},
		{"one 100B record", 1, 100, 7},
		{"500 100B records", 500, 100, 1 << 40},
		{"100 1KiB records", 100, 1024, 0},
		{"last offsets", 3, 10, 1<<64 - 4},
	}
	for _, tt := range tests {
		for _, c := range codecs {
			t.Run(fmt.Sprintf("%s/codec=%s", tt.name, c), func(t *testing.T) {
				recs := makeRecords(tt.n, tt.size, 1_700_000_000_000)
				b, err := segment.AppendBatch([]byte("prefix"), c, tt.first, recs)
				require.NoError(t, err)
				require.Equal(t, "prefix", string(b[:6]))
				info, got, err := segment.DecodeBatch(nil, append(b[6:], "trailing"...))
				require.NoError(t, err)
				require.Equal(t, int64(len(b)-6), info.Size, "DecodeBatch size")
				require.Equal(t, tt.first, info.FirstOffset)
				require.Equal(t, tt.n, info.Count)
				require.Equal(t, recs[0].TimeMs, info.FirstTimeMs)
				require.Equal(t, recs[len(recs)-1].TimeMs, info.LastTimeMs)
				requireSameRecords(t, recs, got, tt.first)
			})
		}
	}
}

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
