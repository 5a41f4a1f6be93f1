package segment

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/shardlog/shardlog/internal/atomicfile"
	"github.com/shardlog/shardlog/internal/durable"
)

// WriterOptions configures a Writer. The zero value means the defaults.
type WriterOptions struct {
	// Codec compresses each batch. Default CodecNone. A batch whose compressed records
	// section would not save at least 10 % is stored uncompressed. SetCodec changes it.
	Codec Codec
	// PreallocateBytes is the largest fallocate chunk in bytes: the file is reserved ahead
	// of the data, so that a full disk fails Append instead of a later write through a
	// mapping. A new segment reserves minPreallocateBytes (64 KiB), and then up to the next
	// multiple of a chunk as large as the file already is, at most PreallocateBytes, so that
	// an idle segment costs little disk. Default 4 MiB.
	PreallocateBytes int64

	calls *fileCalls // the system calls; nil means osCalls (tests inject failures here)
	zero  zeroFill   // how reserve readies new space; the zero value writes zeros (benchmarks compare the others)
}

const defaultPreallocateBytes = 4 << 20

// minPreallocateBytes is the first reservation of a new segment (or PreallocateBytes, if
// smaller).
const minPreallocateBytes = 64 << 10

// keepBufferBytes bounds the encoding buffers a Writer keeps between appends; a larger batch
// gets fresh buffers that are dropped after it.
const keepBufferBytes = 1 << 20

func (o WriterOptions) withDefaults() WriterOptions {
	if o.PreallocateBytes <= 0 {
		o.PreallocateBytes = defaultPreallocateBytes
	}
	if o.calls == nil {
		o.calls = &osCalls
	}
	return o
}

// Writer appends batches to one segment file.
type Writer struct {
	path  string
	f     *os.File
	calls *fileCalls
	opts  WriterOptions

	enc        encoder
	buf        []byte // the framed batch being written
	lastTimeMs int64  // LastTimeMs of the last batch appended by this Writer
	allocated  int64  // file size reserved with fallocate

	size   atomic.Int64  // position after the last appended batch
	next   atomic.Uint64 // offset of the next record
	closed atomic.Bool
	failed atomic.Pointer[error] // set when the file may no longer hold what was appended
}

// Create creates a new segment file (it must not exist), writes and syncs the header, and
// syncs the directory. The file is preallocated to PreallocateBytes. If Create fails, no file
// is left behind.
func Create(path string, firstOffset uint64, createdMs int64, opts WriterOptions) (*Writer, error) {
	opts = opts.withDefaults()
	if !opts.Codec.valid() {
		return nil, fmt.Errorf("segment %s: create: %w: %d", path, ErrUnknownCodec, uint8(opts.Codec))
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("segment: create: %w", err)
	}
	w := newWriter(path, f, opts, HeaderSize, firstOffset, 0)
	if err := w.writeHeader(Header{FirstOffset: firstOffset, CreatedMs: createdMs}); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		_ = atomicfile.SyncDir(filepath.Dir(path))
		return nil, fmt.Errorf("segment %s: create: %w", path, err)
	}
	return w, nil
}

func newWriter(path string, f *os.File, opts WriterOptions, size int64, next uint64, allocated int64) *Writer {
	w := &Writer{
		path:       path,
		f:          f,
		calls:      opts.calls,
		opts:       opts,
		lastTimeMs: math.MinInt64,
		allocated:  allocated,
	}
	w.size.Store(size)
	w.next.Store(next)
	return w
}

// writeHeader reserves the first chunk, writes the header and makes both durable, with the
// directory entry.
func (w *Writer) writeHeader(h Header) error {
	if err := w.reserve(HeaderSize); err != nil {
		return err
	}
	if err := w.calls.writeAt(w.f, AppendHeader(nil, h), 0); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	if err := w.calls.fdatasync(w.f); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(w.path)); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// OpenWriter reopens an existing segment for appending after a Scan: end is the scan's End,
// nextOffset its NextOffset. It checks the header and that nothing but zeros (preallocated
// space) follows end, so that it never appends in front of data it was not told about.
func OpenWriter(path string, end int64, nextOffset uint64, opts WriterOptions) (*Writer, error) {
	opts = opts.withDefaults()
	if !opts.Codec.valid() {
		return nil, fmt.Errorf("segment %s: open writer: %w: %d", path, ErrUnknownCodec, uint8(opts.Codec))
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("segment: open writer: %w", err)
	}
	fileSize, err := checkReopen(f, path, end, nextOffset)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return newWriter(path, f, opts, end, nextOffset, fileSize), nil
}

// checkReopen validates the header and the end position of a segment being reopened, and
// returns the file size.
func checkReopen(f *os.File, path string, end int64, nextOffset uint64) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("segment: open writer: %w", err)
	}
	h, err := readHeader(f, path)
	if err != nil {
		return 0, err
	}
	switch {
	case end < HeaderSize || end > fi.Size():
		return 0, fmt.Errorf("segment %s: open writer: end %d outside [%d, %d]", path, end, HeaderSize, fi.Size())
	case nextOffset < h.FirstOffset, end == HeaderSize && nextOffset != h.FirstOffset:
		return 0, fmt.Errorf("segment %s: open writer: next offset %d at end %d, segment starts at offset %d",
			path, nextOffset, end, h.FirstOffset)
	}
	if pos, err := firstNonZero(f, end, fi.Size()); err != nil {
		return 0, fmt.Errorf("segment %s: open writer: %w", path, err)
	} else if pos >= 0 {
		return 0, &CorruptionError{Path: path, Offset: end,
			Reason: fmt.Sprintf("non-zero byte at position %d after the end of data %d", pos, end)}
	}
	return fi.Size(), nil
}

// readHeader reads and decodes the header of f.
func readHeader(f *os.File, path string) (Header, error) {
	var b [HeaderSize]byte
	n, err := f.ReadAt(b[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return Header{}, fmt.Errorf("segment: read header: %w", err)
	}
	h, err := DecodeHeader(b[:n])
	if err != nil {
		return Header{}, at(fmt.Errorf("segment %s: %w", path, err), path, 0)
	}
	return h, nil
}

// firstNonZero returns the position of the first non-zero byte of f in [from, to), or -1.
func firstNonZero(f *os.File, from, to int64) (int64, error) {
	buf := make([]byte, min(to-from, 1<<20))
	for pos := from; pos < to; {
		n := min(int64(len(buf)), to-pos)
		if _, err := f.ReadAt(buf[:n], pos); err != nil {
			return 0, err
		}
		if i := indexNonZero(buf[:n]); i >= 0 {
			return pos + int64(i), nil
		}
		pos += n
	}
	return -1, nil
}

// Append frames recs as one batch and writes it (pwrite) at the end of the segment; offsets are
// assigned from NextOffset(). The batch is not durable until Sync. Append must not be called
// concurrently with itself, but Sync may run concurrently with Append.
//
// Errors about the records (ErrEmptyBatch, ErrBatchTooLarge, ErrTimeOrder, ErrOffsetOverflow)
// and a failure to reserve space (a full disk: errors.Is(err, syscall.ENOSPC)) leave the
// segment as it was, and later appends may succeed.
func (w *Writer) Append(recs []Record) (BatchInfo, error) {
	return w.append(recs, recordTimes{})
}

// AppendAt is Append with every record at timeMs: recs' TimeMs (and Offset) are ignored, and
// recs is neither modified nor kept, so a caller that stamps one arrival time on a batch
// need not copy its records to do so.
func (w *Writer) AppendAt(recs []Record, timeMs int64) (BatchInfo, error) {
	return w.append(recs, recordTimes{stamped: true, ms: timeMs})
}

func (w *Writer) append(recs []Record, times recordTimes) (BatchInfo, error) {
	firstMs := w.lastTimeMs // an empty batch is refused by appendBatch
	if len(recs) > 0 {
		firstMs = times.of(&recs[0])
	}
	if err := w.appendable(firstMs); err != nil {
		return BatchInfo{}, err
	}
	first := w.next.Load()
	buf, err := w.enc.appendBatch(w.buf[:0], w.opts.Codec, first, recs, times)
	if err != nil {
		return BatchInfo{}, fmt.Errorf("segment %s: append at offset %d: %w", w.path, first, err)
	}
	w.keepBuffers(buf)
	return w.write(buf, len(recs), times.of(&recs[0]), times.of(&recs[len(recs)-1]))
}

// AppendSectionAt is AppendAt for records built in a Section: it frames sec as one batch,
// every record at timeMs, and writes it. The batch header is filled into sec's own memory,
// which an uncompressed batch is written from; sec is not kept. Errors are Append's.
func (w *Writer) AppendSectionAt(sec *Section, timeMs int64) (BatchInfo, error) {
	if err := w.appendable(timeMs); err != nil {
		return BatchInfo{}, err
	}
	first := w.next.Load()
	if err := sec.check(w.opts.Codec, first); err != nil {
		return BatchInfo{}, fmt.Errorf("segment %s: append at offset %d: %w", w.path, first, err)
	}
	buf, grown := sec.frame(w.buf, w.opts.Codec, first, timeMs)
	w.keepBuffers(grown)
	return w.write(buf, sec.Len(), timeMs, timeMs)
}

// appendable returns why a batch whose first record arrives at firstMs cannot be appended:
// the Writer is closed or failed, or the batch would start before the previous one ended.
func (w *Writer) appendable(firstMs int64) error {
	if err := w.usable(); err != nil {
		return err
	}
	if firstMs < w.lastTimeMs {
		return fmt.Errorf("segment %s: append: %w: first record at %d ms, previous batch ended at %d ms",
			w.path, ErrTimeOrder, firstMs, w.lastTimeMs)
	}
	return nil
}

// write writes the framed batch buf of count records at the end of the segment.
func (w *Writer) write(buf []byte, count int, firstMs, lastMs int64) (BatchInfo, error) {
	first, pos := w.next.Load(), w.size.Load()
	if err := w.reserve(pos + int64(len(buf))); err != nil {
		return BatchInfo{}, fmt.Errorf("segment %s: append at offset %d: %w", w.path, first, err)
	}
	held := durable.StartWrite()
	err := w.calls.writeAt(w.f, buf, pos)
	if held {
		durable.EndWrite()
	}
	if err != nil {
		w.undoWrite(pos, len(buf))
		return BatchInfo{}, fmt.Errorf("segment %s: append at offset %d: write: %w", w.path, first, err)
	}
	info := BatchInfo{
		Position:    pos,
		Size:        int64(len(buf)),
		Codec:       Codec(buf[batchCodecAt]),
		FirstOffset: first,
		Count:       count,
		FirstTimeMs: firstMs,
		LastTimeMs:  lastMs,
	}
	w.lastTimeMs = info.LastTimeMs
	w.next.Store(info.NextOffset())
	w.size.Store(info.End())
	return info, nil
}

// SetCodec makes c the codec of the batches appended from now on. Like Append, it must not be
// called concurrently with Append. An unknown codec is ErrUnknownCodec, and changes nothing.
func (w *Writer) SetCodec(c Codec) error {
	if !c.valid() {
		return fmt.Errorf("segment %s: set codec: %w: %d", w.path, ErrUnknownCodec, uint8(c))
	}
	w.opts.Codec = c
	return nil
}

// keepBuffers keeps buf for the next append unless it grew past keepBufferBytes.
func (w *Writer) keepBuffers(buf []byte) {
	w.buf = buf
	if cap(buf) > keepBufferBytes {
		w.buf = nil
	}
	if cap(w.enc.scratch) > keepBufferBytes {
		w.enc.scratch = nil
	}
}

// reserve makes sure the file has space allocated up to end, growing it by reserveEnd.
func (w *Writer) reserve(end int64) error {
	if end <= w.allocated {
		return nil
	}
	newEnd := w.reserveEnd(end)
	if err := w.calls.fallocate(w.f, w.allocated, newEnd-w.allocated); err != nil {
		return fmt.Errorf("preallocate %d bytes at %d: %w", newEnd-w.allocated, w.allocated, err)
	}
	// fallocate leaves unwritten extents: the first write into each turns it into a
	// written one, a metadata change that every fdatasync then commits to the journal.
	// Writing the zeros once here makes the appends that follow plain overwrites, whose
	// fdatasync flushes data only. (Where Fallocate is a fallback, it wrote them already.)
	if err := w.zeroFill(w.allocated, newEnd); err != nil {
		return err
	}
	w.allocated = newEnd
	return nil
}

// reserveEnd returns where the reservation that covers end stops: the next multiple of a
// chunk as large as what the file already holds, at least minPreallocateBytes and at most
// PreallocateBytes. An empty segment thus holds 64 KiB rather than 4 MiB, and a busy one
// reaches PreallocateBytes chunks after a few doublings.
func (w *Writer) reserveEnd(end int64) int64 {
	chunk := min(w.opts.PreallocateBytes, max(w.allocated, minPreallocateBytes))
	return (end + chunk - 1) / chunk * chunk
}

// undoWrite zeroes the bytes a failed write may have left at pos, so that neither a later,
// shorter batch nor recovery mistakes them for data. If that fails too, the Writer is failed.
func (w *Writer) undoWrite(pos int64, n int) {
	if err := w.calls.writeAt(w.f, make([]byte, n), pos); err != nil {
		w.fail(fmt.Errorf("zero a failed write at %d: %w", pos, err))
	}
}

// Sync makes every completed Append durable with fdatasync. A failed sync fails the Writer:
// the kernel may have dropped the unsynced pages, so every later call returns the error.
func (w *Writer) Sync() error {
	if err := w.usable(); err != nil {
		return err
	}
	if err := w.calls.fdatasync(w.f); err != nil {
		return w.fail(fmt.Errorf("sync: %w", err))
	}
	return nil
}

// Size returns the position after the last appended batch: the end of the segment's data.
func (w *Writer) Size() int64 { return w.size.Load() }

// NextOffset returns the offset the next appended record will get.
func (w *Writer) NextOffset() uint64 { return w.next.Load() }

// Path returns the segment's file name.
func (w *Writer) Path() string { return w.path }

// Close cuts the preallocated tail (the file size becomes Size()), syncs, and closes the file.
// After Close, every method returns ErrClosed (Size and NextOffset keep their last values).
// Close must not run concurrently with Append or Sync.
func (w *Writer) Close() error {
	if !w.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	err := w.failure()
	if err == nil {
		if err = w.calls.ftruncate(w.f, w.size.Load()); err != nil {
			err = fmt.Errorf("segment %s: close: cut preallocated tail: %w", w.path, err)
		}
	}
	if err == nil {
		if err = w.calls.fdatasync(w.f); err != nil {
			err = fmt.Errorf("segment %s: close: sync: %w", w.path, err)
		}
	}
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("segment %s: close: %w", w.path, cerr)
	}
	w.buf, w.enc.scratch = nil, nil
	return err
}

// usable returns ErrClosed after Close and the failure of a failed Writer.
func (w *Writer) usable() error {
	if w.closed.Load() {
		return ErrClosed
	}
	return w.failure()
}

func (w *Writer) failure() error {
	if p := w.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// fail records err as the Writer's permanent failure (the first one wins) and returns it.
func (w *Writer) fail(err error) error {
	err = fmt.Errorf("segment %s: writer failed: %w", w.path, err)
	w.failed.CompareAndSwap(nil, &err)
	return w.failure()
}

// indexNonZero returns the index of the first non-zero byte of b, or -1.
func indexNonZero(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if *(*[8]byte)(b[i:]) != [8]byte{} {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] != 0 {
			return i
		}
	}
	return -1
}
