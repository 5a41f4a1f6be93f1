package segment_test

import (
	"os"
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
