package segment

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// Release chunks of 2 MiB, so that a segment of 16 MiB holds several. Not smaller: the
// kernel maps a large folio of the page cache whole (up to 2 MiB, aligned to its size), so a
// smaller chunk may release a part of a folio that a fault on the rest then maps again.
const (
	testReleaseChunk = 2 << 20
	testReleaseLag   = 256 << 10
	testBatches      = 1024 // of 16 records of 1000 bytes: 16 MiB
)

// releaseRecords returns batch i of n records of 1000 bytes whose data says where it belongs.
func releaseRecords(i, n int) []Record {
	recs := make([]Record, n)
	for j := range recs {
		recs[j] = Record{TimeMs: int64(i), PartitionKey: fmt.Appendf(nil, "k%d", j),
			Data: bytes.Repeat(fmt.Appendf(nil, "%08d/%04d;", i, j), 1000/14+1)[:1000]}
	}
	return recs
}

// residentBehind returns the bytes of b[:n] that are resident in the process (mapped by its
// page tables), from /proc/self/pagemap; ok is false where the system has no such file.
// Pages past n are not counted: the kernel maps ahead of a read as it likes (fault-around,
// whole large folios), and that is bounded by the kernel, not by releases.
func residentBehind(t *testing.T, b []byte, n int64) (resident int64, ok bool) {
	t.Helper()
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	page := int64(os.Getpagesize())
	entries := make([]byte, (n+page-1)/page*8)
	_, err = f.ReadAt(entries, int64(uintptr(unsafe.Pointer(&b[0])))/page*8)
	require.NoError(t, err)
	for i := 0; i < len(entries); i += 8 {
		if binary.LittleEndian.Uint64(entries[i:])&(1<<63) != 0 { // present
			resident += page
		}
	}
	return resident, true
}

// TestReader_ReleasesPagesBehindReads reads a segment of many release chunks front to back,
// sealed and while a writer appends to it (the active segment, mapped to its capacity), and
// checks that the pages behind the read are released: the mapping's resident bytes (on
// Linux, from pagemap) stay within a chunk, the lag and a few batches of the read position,
// however far it gets, and the bytes read are the bytes written.
func TestReader_ReleasesPagesBehindReads(t *testing.T) {
	const batches, perBatch = testBatches, 16
	tests := []struct {
		name   string
		active bool // read each batch right after it is appended, through a mapping of the capacity
	}{
		{name: "sealed"},
		{name: "active", active: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "00000000000000000000.seg")
			w, err := Create(path, 0, 1, WriterOptions{})
			require.NoError(t, err)
			defer w.Close()
			capacity := int64(0)
			if tt.active {
				capacity = 32 << 20
			} else {
				for i := range batches {
					_, err := w.Append(releaseRecords(i, perBatch))
					require.NoError(t, err)
				}
			}
			r, err := OpenReader(path, capacity)
			require.NoError(t, err)
			defer r.Close()
			r.releaseChunk, r.releaseLag = testReleaseChunk, testReleaseLag

			pos, maxRss, maxBatch := int64(HeaderSize), int64(0), int64(0)
			var recs []Record
			for i := range batches {
				if tt.active {
					_, err := w.Append(releaseRecords(i, perBatch))
					require.NoError(t, err)
				}
				info, got, err := r.ReadBatch(recs, pos, w.Size())
				require.NoError(t, err, "batch %d", i)
				want := releaseRecords(i, perBatch)
				require.Len(t, got, len(want))
				for j := range want {
					require.True(t, bytes.Equal(want[j].Data, got[j].Data), "batch %d record %d", i, j)
				}
				maxBatch = max(maxBatch, info.Size)
				pos, recs = info.End(), got
				if rss, ok := residentBehind(t, r.data, pos); ok {
					maxRss = max(maxRss, rss)
				}
			}
			require.Equal(t, w.Size(), pos)
			require.Greater(t, pos, int64(7*testReleaseChunk), "the segment spans several chunks")
			// Every chunk the read got releaseLag past, and no other, was released.
			require.Equal(t, (pos-testReleaseLag)/testReleaseChunk*testReleaseChunk, r.released.Load())
			// Behind the read, a chunk, the lag and a batch (to a page) at most stay resident; without
			// releases it would be every page read.
			if _, ok := residentBehind(t, r.data, pos); ok {
				require.LessOrEqual(t, maxRss, int64(testReleaseChunk+testReleaseLag)+maxBatch+int64(os.Getpagesize()),
					"resident bytes of the mapping behind the read, read up to %d", pos)
			}
			if tt.active {
				return
			}
			// A sealed segment read to its end keeps nothing resident once told so.
			r.ReleaseEnd(pos)
			page := int64(os.Getpagesize())
			require.Equal(t, (pos+page-1)/page*page, r.released.Load(), "bytes released up to the end")
			if rss, ok := residentBehind(t, r.data, pos); ok {
				require.Zero(t, rss, "resident bytes of the mapping read to its end")
			}
		})
	}
}

// TestReader_ReleaseKeepsConcurrentReadersRight has readers far apart in one segment read it
// again and again while each releases the pages behind it (under the others): every reader
// reads the bytes written, CRC checked, every time.
func TestReader_ReleaseKeepsConcurrentReadersRight(t *testing.T) {
	const batches, perBatch, rounds = testBatches, 16, 3
	path := filepath.Join(t.TempDir(), "00000000000000000000.seg")
	w, err := Create(path, 0, 1, WriterOptions{})
	require.NoError(t, err)
	defer w.Close()
	starts := make([]int64, batches)
	for i := range batches {
		starts[i] = w.Size()
		_, err := w.Append(releaseRecords(i, perBatch))
		require.NoError(t, err)
	}
	end := w.Size()
	r, err := OpenReader(path, 0)
	require.NoError(t, err)
	defer r.Close()
	r.releaseChunk, r.releaseLag = testReleaseChunk, testReleaseLag

	// read reads from batch `from` to the end and back round from the start, rounds times.
	read := func(from int) error {
		var recs []Record
		var buf []byte
		for n := range rounds * batches {
			i := (from + n) % batches
			info, got, used, err := r.ReadBatchInto(recs, buf, starts[i], end)
			if err != nil {
				return fmt.Errorf("batch %d: %w", i, err)
			}
			for j, want := range releaseRecords(i, perBatch) {
				if !bytes.Equal(want.Data, got[j].Data) || !bytes.Equal(want.PartitionKey, got[j].PartitionKey) {
					return fmt.Errorf("batch %d record %d: read %.20q, wrote %.20q", i, j, got[j].Data, want.Data)
				}
			}
			recs, buf = got, used
			if info.Position != starts[i] {
				return fmt.Errorf("batch %d at %d, want %d", i, info.Position, starts[i])
			}
		}
		return nil
	}
	froms := []int{0, batches / 2, batches / 3} // the readers' first batches: far apart
	errs := make([]error, len(froms))
	var wg sync.WaitGroup
	for k, from := range froms {
		wg.Go(func() { errs[k] = read(from) })
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	// Each reader read every batch rounds times, so passed every chunk rounds times.
	require.Equal(t, int64(rounds*len(froms))*((end-testReleaseLag)/testReleaseChunk*testReleaseChunk), r.released.Load(),
		"bytes released while the readers read")
	_, _, err = r.ReadBatch(nil, end, end)
	require.ErrorIs(t, err, io.EOF)
}

// TestScan_ReleasesPagesBehind scans a segment of many release chunks, as recovery and an
// index rebuild do, and checks that the pages behind the scan are released: the mapping's
// resident bytes behind each batch checked (on Linux, from pagemap) stay within a chunk, the
// lag and a batch.
func TestScan_ReleasesPagesBehind(t *testing.T) {
	const batches, perBatch, chunk, lag = testBatches, 16, testReleaseChunk, testReleaseLag
	path := filepath.Join(t.TempDir(), "00000000000000000000.seg")
	w, err := Create(path, 0, 1, WriterOptions{})
	require.NoError(t, err)
	for i := range batches {
		_, err := w.Append(releaseRecords(i, perBatch))
		require.NoError(t, err)
	}
	end := w.Size()
	require.NoError(t, w.Close())

	var data []byte
	var maxRss, maxBatch int64
	measured := false
	res, err := Scan(path, ScanOptions{
		releaseChunk: chunk, releaseLag: lag,
		mapped: func(b []byte) { data = b },
		Batch: func(b BatchInfo) {
			maxBatch = max(maxBatch, b.Size)
			if rss, ok := residentBehind(t, data, b.End()); ok {
				maxRss, measured = max(maxRss, rss), true
			}
		},
	})
	require.NoError(t, err)
	require.Equal(t, batches, res.Batches)
	require.Equal(t, end, res.End)
	require.Greater(t, end, int64(7*chunk), "the segment spans several chunks")
	if !measured {
		t.Skip("no /proc/self/pagemap: resident pages cannot be counted here")
	}
	require.LessOrEqual(t, maxRss, int64(chunk+lag)+maxBatch+int64(os.Getpagesize()),
		"resident bytes of the mapping behind the scan, scanned up to %d", end)
}
