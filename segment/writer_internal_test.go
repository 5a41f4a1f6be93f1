package segment

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// faultyCalls returns the real system calls, for a test to replace some with fakes, and
// options that make a Writer use them.
func faultyCalls(opts WriterOptions) (*fileCalls, WriterOptions) {
	calls := osCalls
	opts.calls = &calls
	return &calls, opts
}

func testRecords(n int, t0 int64) []Record {
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{TimeMs: t0, PartitionKey: []byte("k"), Data: []byte("some data for the record")}
	}
	return recs
}

// checkSegment scans path and reads it back, and returns the number of records.
func checkSegment(t *testing.T, path string, end int64) int {
	t.Helper()
	res, err := Scan(path, ScanOptions{})
	require.NoError(t, err)
	require.Equal(t, end, res.End)
	r, err := OpenReader(path, 0)
	require.NoError(t, err)
	defer r.Close()
	n := 0
	var recs []Record
	for pos := int64(HeaderSize); pos < end; {
		info, got, err := r.ReadBatch(recs, pos, end)
		require.NoError(t, err)
		n += len(got)
		pos, recs = info.End(), got
	}
	return n
}

func TestWriter_Append_DiskFull(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.seg")
	calls, opts := faultyCalls(WriterOptions{PreallocateBytes: 4096})
	w, err := Create(path, 0, 0, opts)
	require.NoError(t, err)
	_, err = w.Append(testRecords(10, 1))
	require.NoError(t, err)
	size := w.Size()

	full := true
	calls.fallocate = func(f *os.File, off, n int64) error {
		if full {
			return syscall.ENOSPC
		}
		return osCalls.fallocate(f, off, n)
	}
	_, err = w.Append(testRecords(200, 2))
	require.ErrorIs(t, err, syscall.ENOSPC, "Append on a full disk")
	require.Equal(t, size, w.Size(), "a failed Append leaves Size")
	require.Equal(t, uint64(10), w.NextOffset(), "a failed Append leaves NextOffset")
	require.NoError(t, w.Sync(), "a full disk does not fail the Writer")

	full = false
	info, err := w.Append(testRecords(200, 3))
	require.NoError(t, err, "Append once space is back")
	require.Equal(t, uint64(10), info.FirstOffset)
	require.NoError(t, w.Close())
	require.Equal(t, 210, checkSegment(t, path, w.Size()))
}

func TestWriter_Append_WriteFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eio.seg")
	calls, opts := faultyCalls(WriterOptions{})
	w, err := Create(path, 0, 0, opts)
	require.NoError(t, err)
	_, err = w.Append(testRecords(3, 1))
	require.NoError(t, err)

	fail := true
	calls.pwrite = func(f *os.File, b []byte, off int64) (int, error) {
		if fail {
			fail = false
			n, _ := osCalls.pwrite(f, b[:len(b)/2], off) // half the batch reaches the file
			return n, syscall.EIO
		}
		return osCalls.pwrite(f, b, off)
	}
	_, err = w.Append(testRecords(100, 2))
	require.ErrorIs(t, err, syscall.EIO)
	info, err := w.Append(testRecords(1, 3))
	require.NoError(t, err, "Append after a failed write that was undone")
	require.Equal(t, uint64(3), info.FirstOffset)
	require.NoError(t, w.Sync())

	// Recovery must not see the rest of the failed batch after the short one.
	img, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Negative(t, indexNonZero(img[info.End():]), "bytes of the failed write remain after the end")
	require.NoError(t, w.Close())
	require.Equal(t, 4, checkSegment(t, path, w.Size()))
}

func TestWriter_Append_WriteAndUndoFail(t *testing.T) {
	calls, opts := faultyCalls(WriterOptions{})
	w, err := Create(filepath.Join(t.TempDir(), "eio.seg"), 0, 0, opts)
	require.NoError(t, err)
	calls.pwrite = func(*os.File, []byte, int64) (int, error) { return 0, syscall.EIO }
	_, err = w.Append(testRecords(3, 1))
	require.ErrorIs(t, err, syscall.EIO)
	_, err = w.Append(testRecords(3, 1))
	require.ErrorIs(t, err, syscall.EIO, "a Writer that could not undo a write stays failed")
	require.ErrorIs(t, w.Sync(), syscall.EIO)
	require.ErrorIs(t, w.Close(), syscall.EIO)
	require.ErrorIs(t, w.Close(), ErrClosed)
}

func TestWriter_Sync_FailureIsSticky(t *testing.T) {
	calls, opts := faultyCalls(WriterOptions{})
	w, err := Create(filepath.Join(t.TempDir(), "sync.seg"), 0, 0, opts)
	require.NoError(t, err)
	_, err = w.Append(testRecords(3, 1))
	require.NoError(t, err)
	syncs := 0
	calls.fdatasync = func(*os.File) error { syncs++; return syscall.EIO }
	require.ErrorIs(t, w.Sync(), syscall.EIO)
	require.ErrorIs(t, w.Sync(), syscall.EIO, "Sync after a failed Sync")
	_, err = w.Append(testRecords(1, 1))
	require.ErrorIs(t, err, syscall.EIO, "Append after a failed Sync")
	require.Equal(t, 1, syncs, "a failed Writer does not retry the sync")
	require.ErrorIs(t, w.Close(), syscall.EIO)
}

func TestCreate_FailureLeavesNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.seg")
	calls, opts := faultyCalls(WriterOptions{})
	calls.fallocate = func(*os.File, int64, int64) error { return syscall.ENOSPC }
	_, err := Create(path, 0, 0, opts)
	require.ErrorIs(t, err, syscall.ENOSPC)
	_, err = os.Stat(path)
	require.True(t, errors.Is(err, os.ErrNotExist), "Create left %s behind: %v", path, err)
}

func TestWriter_KeepsSmallBuffersOnly(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "buf.seg"), 0, 0, WriterOptions{Codec: CodecS2})
	require.NoError(t, err)
	defer w.Close()
	_, err = w.Append(testRecords(100, 1))
	require.NoError(t, err)
	require.NotNil(t, w.buf, "a small batch buffer is kept")
	require.NotNil(t, w.enc.scratch)
	big := []Record{{TimeMs: 2, Data: make([]byte, 2*keepBufferBytes)}}
	_, err = w.Append(big)
	require.NoError(t, err)
	require.Nil(t, w.buf, "a large batch buffer is dropped")
	require.Nil(t, w.enc.scratch)
}
