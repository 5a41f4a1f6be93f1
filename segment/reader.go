package segment

import (
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"sync/atomic"

	"github.com/edsrzf/mmap-go"

	"github.com/shardlog/shardlog/internal/platform"
)

// Pages that readers have moved past are released from the process in chunks (see
// Reader.releaseBehind): a chunk of releaseChunk bytes once a read ends releaseLag bytes past
// it. The chunk is a multiple of every page size in use. A mapping of a sequential reader so
// keeps about releaseChunk+releaseLag bytes resident, however large the segment; a reader
// less than releaseLag behind another refaults nothing, one further behind refaults from the
// page cache.
const (
	releaseChunk = 4 << 20
	releaseLag   = 1 << 20
)

// Reader reads batches from a memory-mapped segment. ReadBatch is safe for concurrent use;
// Close must not run concurrently with it.
type Reader struct {
	path   string
	data   mmap.MMap // nil after Close
	header Header

	// Hooks for tests, set by OpenReader: the chunk and lag of releaseBehind (a chunk <= 0
	// releases nothing), and the bytes released so far.
	releaseChunk int64
	releaseLag   int64
	released     atomic.Int64
}

// OpenReader maps max(capacity, file size) bytes of the segment read-only and validates the
// header. A capacity beyond the file size lets the caller map the active segment once, at its
// maximum size, while a Writer grows it; reads stay below the caller's limit, so the pages
// past the end of the file are never touched. The file descriptor is closed once the mapping
// exists.
func OpenReader(path string, capacity int64) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("segment: open reader: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("segment: open reader: %w", err)
	}
	h, err := readHeader(f, path)
	if err != nil {
		return nil, err
	}
	n := max(capacity, fi.Size())
	if n > math.MaxInt {
		return nil, fmt.Errorf("segment %s: open reader: cannot map %d bytes", path, n)
	}
	m, err := mmap.MapRegion(f, int(n), mmap.RDONLY, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("segment %s: open reader: map %d bytes: %w", path, n, err)
	}
	return &Reader{path: path, data: m, header: h, releaseChunk: releaseChunk, releaseLag: releaseLag}, nil
}

// Header returns the segment's file header.
func (r *Reader) Header() Header { return r.header }

// Path returns the segment's file name.
func (r *Reader) Path() string { return r.path }

// ReadBatch decodes the batch at pos into dst (reused), never touching bytes at or past
// limit, the caller's known end of written data; limit is clamped to the mapped length, so
// the capacity given to OpenReader must cover every batch the caller will read. It returns
// io.EOF when pos >= limit. The CRC
// is checked; records of uncompressed batches alias the mapping and stay valid until Close. A
// bad batch (a zero length word before limit included) is a *CorruptionError. A fault on the
// mapped memory is an error wrapping ErrFault, not a crash.
func (r *Reader) ReadBatch(dst []Record, pos, limit int64) (info BatchInfo, recs []Record, err error) {
	info, recs, _, err = r.ReadBatchInto(dst, nil, pos, limit)
	return info, recs, err
}

// ReadBatchInto is ReadBatch, except that a compressed batch is decompressed into buf when
// buf has the capacity (into fresh memory otherwise), and the buffer used is returned for
// the next call. Records of a compressed batch then stay valid only until that buffer is
// reused, so a reader that hands each batch's records on before it reads the next one need
// not allocate for every compressed batch.
func (r *Reader) ReadBatchInto(dst []Record, buf []byte, pos, limit int64) (info BatchInfo, recs []Record, used []byte, err error) {
	if r.data == nil {
		return BatchInfo{}, dst[:0], buf, ErrClosed
	}
	limit = min(limit, int64(len(r.data)))
	if pos >= limit {
		return BatchInfo{}, dst[:0], buf, io.EOF
	}
	if pos < HeaderSize {
		return BatchInfo{}, dst[:0], buf, fmt.Errorf("segment %s: read at position %d: inside the %d-byte header",
			r.path, pos, HeaderSize)
	}
	defer catchFault(debug.SetPanicOnFault(true), &err, r.path, pos)
	info, recs, used, err = decodeBatch(dst, buf, r.data[pos:limit])
	if err != nil {
		return BatchInfo{}, recs, used, at(err, r.path, pos)
	}
	info.Position = pos
	r.releaseBehind(pos, info.End())
	return info, recs, used, nil
}

// releaseBehind drops from the process's resident set each chunk [c-releaseChunk, c) that a
// batch read over [pos, end) has left releaseLag bytes behind (pos < c+releaseLag <= end),
// through platform.AdviseRelease: the page cache keeps the pages, so a reader behind this one
// refaults them with the same bytes, and its CRC check runs on them as before. Without it,
// every page a read touched would stay resident until the mapping is dropped, so a read-back
// would hold whole segments in the process. The pages of a chunk that no read gets past (the
// last one of a segment, one where readers stop) stay resident until Close.
func (r *Reader) releaseBehind(pos, end int64) {
	n, lag := r.releaseChunk, r.releaseLag
	if n <= 0 {
		return
	}
	for c := max(pos-lag, 0)/n*n + n; c+lag <= end; c += n {
		platform.AdviseRelease(r.data[c-n : c])
		r.released.Add(n)
	}
}

// ReleaseEnd drops from the process's resident set the pages of the last, partial chunk
// below end, which releaseBehind leaves: a caller whose read has reached end, the end of a
// sealed segment's data, calls it, so that a segment read to its end keeps nothing resident.
// A reader still behind refaults those pages from the page cache.
func (r *Reader) ReleaseEnd(end int64) {
	n, lag := r.releaseChunk, r.releaseLag
	if r.data == nil || n <= 0 {
		return
	}
	page := int64(os.Getpagesize())
	lo := max(end-lag, 0) / n * n
	hi := min((end+page-1)/page*page, int64(len(r.data)))
	if lo < hi {
		platform.AdviseRelease(r.data[lo:hi])
		r.released.Add(hi - lo)
	}
}

// Close unmaps the segment. Records that alias the mapping must not be used afterwards.
// Later calls return ErrClosed.
func (r *Reader) Close() error {
	if r.data == nil {
		return ErrClosed
	}
	err := r.data.Unmap()
	r.data = nil
	if err != nil {
		return fmt.Errorf("segment %s: unmap: %w", r.path, err)
	}
	return nil
}
