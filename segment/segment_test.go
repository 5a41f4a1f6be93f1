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

// memTempDir returns a fresh directory on tmpfs (/dev/shm) when there is one, removed when
// the test ends, or t.TempDir otherwise. The exhaustive damage tests write and sync a file
// thousands of times; on tmpfs a sync costs nothing, so they do not wait on a shared disk.
func memTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "segment-test-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// writeTemp writes image to a new file and returns its name.
func writeTemp(t *testing.T, image []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "00000000000000000000.seg")
	require.NoError(t, os.WriteFile(path, image, 0o644))
	return path
}
