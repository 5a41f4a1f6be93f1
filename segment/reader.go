package segment

import (
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"

	"github.com/edsrzf/mmap-go"
)

// Reader reads batches from a memory-mapped segment. ReadBatch is safe for concurrent use;
// Close must not run concurrently with it.
type Reader struct {
	path   string
	data   mmap.MMap // nil after Close
	header Header
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
	return &Reader{path: path, data: m, header: h}, nil
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
	return info, recs, used, nil
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
