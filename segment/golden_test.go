package segment_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current writer")

// The golden files pin the bytes of format version 1. Files of older versions stay in
// testdata/ when the format changes, and TestGolden_Read keeps reading them.
const goldenCreatedMs = 1_700_000_000_000

func goldenHeaderFile() string { return filepath.Join("testdata", "v1-header.bin") }

func goldenSegmentFile(c segment.Codec) string {
	return filepath.Join("testdata", fmt.Sprintf("v1-%s.seg", c))
}

// goldenBatches are the records of the golden segments: three batches, one of which is too
// small for compression to help, so a compressed segment holds both kinds.
func goldenBatches() [][]segment.Record {
	sizes := []int{1, 5, 20}
	var batches [][]segment.Record
	t := int64(goldenCreatedMs)
	for b, n := range sizes {
		recs := make([]segment.Record, n)
		for i := range recs {
			recs[i] = segment.Record{
				TimeMs:       t,
				PartitionKey: fmt.Appendf(nil, "user-%d", (b*7+i)%4),
				Data:         fmt.Appendf(nil, `{"batch":%d,"record":%d,"note":"golden golden golden"}`, b, i),
			}
			t += int64(i % 2)
		}
		if b == 1 {
			recs[0].PartitionKey = nil // an empty key
		}
		batches = append(batches, recs)
		t += 1000
	}
	return batches
}

// writeGolden writes the golden segment for codec c at path.
func writeGolden(t *testing.T, c segment.Codec, path string) {
	t.Helper()
	w, err := segment.Create(path, 1000, goldenCreatedMs, segment.WriterOptions{Codec: c})
	require.NoError(t, err)
	for _, recs := range goldenBatches() {
		_, err := w.Append(recs)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
}

func TestGolden_Header(t *testing.T) {
	got := segment.AppendHeader(nil, segment.Header{FirstOffset: 1000, CreatedMs: goldenCreatedMs})
	if *update {
		require.NoError(t, os.WriteFile(goldenHeaderFile(), got, 0o644))
	}
	want, err := os.ReadFile(goldenHeaderFile())
	require.NoError(t, err)
	require.Equal(t, want, got, "AppendHeader bytes differ from %s (run go test -update after a deliberate format change)", goldenHeaderFile())
}

func TestGolden_WriterReproduces(t *testing.T) {
	for _, c := range codecs {
		t.Run("codec="+c.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "golden.seg")
			writeGolden(t, c, path)
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			if *update {
				require.NoError(t, os.WriteFile(goldenSegmentFile(c), got, 0o644))
			}
			want, err := os.ReadFile(goldenSegmentFile(c))
			require.NoError(t, err)
			require.True(t, bytes.Equal(want, got), "the writer's bytes differ from %s (run go test -update after a deliberate format change)", goldenSegmentFile(c))
		})
	}
}

func TestGolden_Read(t *testing.T) {
	want := goldenBatches()
	for _, c := range codecs {
		t.Run("codec="+c.String(), func(t *testing.T) {
			path := goldenSegmentFile(c)
			res, err := segment.Scan(path, segment.ScanOptions{})
			require.NoError(t, err)
			require.Equal(t, len(want), res.Batches)
			require.Equal(t, uint64(1000+1+5+20), res.NextOffset)

			r := mustOpenReader(t, path, 0)
			require.Equal(t, segment.Header{Version: 1, FirstOffset: 1000, CreatedMs: goldenCreatedMs}, r.Header())
			got, infos := readAll(t, r, res.End)
			var all []segment.Record
			kinds := map[segment.Codec]bool{}
			for i, recs := range want {
				all = append(all, recs...)
				kinds[infos[i].Codec] = true
			}
			requireSameRecords(t, all, got, 1000)
			require.True(t, kinds[c], "the %s golden segment holds a %s batch", c, c)
			if c != segment.CodecNone {
				require.True(t, kinds[segment.CodecNone], "the %s golden segment holds an uncompressed batch", c)
			}
		})
	}
}
