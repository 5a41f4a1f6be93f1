package segment_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
)

// TestCreate_ReservesLittleForAnEmptySegment: a new segment reserves a small first chunk, not
// PreallocateBytes, so that a server with ten thousand idle shards does not hold 4 MiB of
// zeros for each; the reservation then grows with what is written, doubling up to
// PreallocateBytes at a time, and never runs more than that ahead of the data.
func TestCreate_ReservesLittleForAnEmptySegment(t *testing.T) {
	const chunk = 4 << 20
	w, path := mustCreate(t, 0, segment.WriterOptions{PreallocateBytes: chunk})
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.LessOrEqual(t, fi.Size(), int64(64<<10), "bytes reserved by an empty segment")

	payload := make([]byte, 1000)
	recs := make([]segment.Record, 100)
	for i := range recs {
		recs[i] = segment.Record{TimeMs: 1_700_000_000_001, PartitionKey: []byte("k"), Data: payload}
	}
	var maxAhead int64
	for range 600 { // about 60 MB in batches of about 100 KB
		_, err := w.Append(recs)
		require.NoError(t, err)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		ahead := fi.Size() - w.Size()
		require.LessOrEqual(t, ahead, max(w.Size(), int64(64<<10)), "reserved ahead of %d bytes of data", w.Size())
		maxAhead = max(maxAhead, ahead)
	}
	require.LessOrEqual(t, maxAhead, int64(chunk), "reserved ahead at most one PreallocateBytes")
	require.Greater(t, maxAhead, int64(chunk/2), "a busy segment reserves in large chunks")
}
