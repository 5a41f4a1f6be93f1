package segment

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"

	"github.com/edsrzf/mmap-go"

	"github.com/shardlog/shardlog/internal/platform"
)

// ScanOptions says where a Scan starts and what it may repair.
type ScanOptions struct {
	// From is the batch boundary to start at; 0 means the first batch (HeaderSize).
	From int64
	// FromOffset is the offset expected at From (ignored when From is 0: taken from the header).
	FromOffset uint64
	// Tail marks the shard's last segment, the only one a crash can leave half written: a
	// torn final batch is cut off (the file is truncated) and reported in DroppedBytes.
	Tail bool
	// ReadOnly, with Tail, reports a torn final batch in DroppedBytes without cutting it:
	// the file is opened read-only and left as it is (inspect, shard.Check).
	ReadOnly bool
	// Batch, if set, is called for each good batch in order (to rebuild an index).
	Batch func(BatchInfo)

	// Hooks for tests: the release chunk and lag of the scan (0 means releaseChunk and
	// releaseLag, a chunk < 0 releases nothing), and a call with the mapping once it exists.
	releaseChunk, releaseLag int64
	mapped                   func([]byte)
}

// ScanResult is what a Scan found.
type ScanResult struct {
	End          int64  // position after the last good batch
	NextOffset   uint64 // offset after the last good record
	Batches      int    // good batches scanned
	FirstTimeMs  int64  // FirstTimeMs of the first good batch scanned, 0 if none
	LastTimeMs   int64  // LastTimeMs of the last good batch, 0 if none
	DroppedBytes int64  // Tail only: bytes cut off from the torn batch on, up to the file's last non-zero byte

	// DroppedBatches (Tail only) counts the whole batches after the torn one that the cut
	// dropped: batches written after it whose sectors reached the disk before its own did.
	DroppedBatches int
}

// sectorSize is the unit a disk writes atomically, at the least. A write that did not fully
// reach the disk leaves whole sectors of the preallocated zeros in place.
const sectorSize = 512

// Scan reads a segment from opts.From to its end and checks each batch: length bounds, CRC,
// header fields, offsets contiguous from the expected one, and arrival times that do not go
// backwards from one batch to the next. It trusts the CRC for the records section, which it
// does not decode. A zero length word followed only by zeros (preallocated space) or the end
// of the file is the clean end.
//
// At a bad batch at position p, Scan returns a *CorruptionError naming p, unless opts.Tail is
// set and the batch is a torn tail: then a crash or a power loss cut the write of that batch
// short, and Scan truncates the file at p, syncs it and returns success with DroppedBytes
// (and DroppedBatches) set (with ReadOnly it only reports it). A CRC-valid batch that does
// not follow its predecessor is corruption even in the tail.
//
// # Torn tail or corruption
//
// The writer appends into space preallocated with fallocate, which reads as zeros until
// written, and a batch is acknowledged only once fdatasync has returned. A write that a crash
// interrupts reaches the disk in part, in whole sectors: a process killed inside pwrite has
// copied whole pages of it into the page cache, and after a power loss some of its sectors
// were written back and others not, in any order. What it did not write is still zero. A
// flipped bit, a bad sector returned as garbage, or an overwrite leaves the batch's bytes
// present and wrong. So a bad batch at p in the tail is torn, and may be cut, when its bytes
// show a write that did not complete:
//
//   - when no CRC-valid batch follows it in the file: the file ends inside it, its length
//     word is zero, or one of its sectors (the file split at multiples of 512 bytes, the
//     batch's first and last pieces included) is all zeros, as etcd's WAL decides
//     (isTornEntry). A length word that a sector boundary splits, with the sector after it
//     all zeros, is torn too: its first bytes reached the disk and the rest did not;
//   - when a CRC-valid batch follows at q (the next one it finds whose first offset is past
//     the last good record's): one of the sectors of [p, q) is all zeros. The disk wrote
//     back the later batches' sectors and not all of the earlier's, as it may in any order
//     when the power goes off before the fdatasync that would have covered them returns.
//     The extent is taken from where the next good batch starts, not from the bad batch's
//     own length word, which may be the damage. The cut drops those later batches
//     (DroppedBatches) with it: none of them was acknowledged as synced, since an
//     fdatasync that returns covers every byte written before it, the torn batch's too.
//
// Anything else is a *CorruptionError: a complete batch (length word within bounds, no
// sector of it all zeros) whose CRC or header fails, or a length word that no writer writes
// (non-zero and outside [header size, MaxBatchBytes]) and not split by a lost sector, and a
// bad batch with no sector missing before a good one. Kafka and pebble cut at the first bad
// record; etcd refuses a bad entry unless it is torn; we follow etcd, since cutting a
// complete batch drops records that were acknowledged once it was synced.
//
// The rule has one ambiguity, decided in favour of the torn tail: a batch damaged in one
// place that also holds a whole zero sector of its own, or whose first or last piece across
// a 512-byte boundary happens to be zeros, looks like a torn write and is cut, with any
// batches after it; so does a synced write that a failing disk lost. Scans with Tail start
// after the shard's last checkpoint, whose bytes are synced, so a cut never reaches before
// it. The shard logs every cut with the file, the position, the bytes and the whole batches
// dropped, so it is never silent.
//
// Scan must not run on a file that a Writer has open, and with Tail it must not run on a file
// that a Reader maps.
func Scan(path string, opts ScanOptions) (ScanResult, error) {
	flag := os.O_RDONLY
	if opts.Tail && !opts.ReadOnly {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return ScanResult{}, fmt.Errorf("segment: scan: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ScanResult{}, fmt.Errorf("segment: scan: %w", err)
	}
	h, err := readHeader(f, path)
	if err != nil {
		return ScanResult{}, err
	}
	s := scanner{path: path, opts: opts, size: fi.Size()}
	if err := s.start(h); err != nil {
		return ScanResult{}, err
	}
	if err := s.scanMapped(f); err != nil {
		return ScanResult{}, err
	}
	if s.torn && !opts.ReadOnly {
		if err := cutTail(f, s.res.End); err != nil {
			return ScanResult{}, fmt.Errorf("segment %s: scan: cut torn tail at %d: %w", path, s.res.End, err)
		}
	}
	return s.res, nil
}

// cutTail truncates f at end and makes that durable.
func cutTail(f *os.File, end int64) error {
	if err := osCalls.ftruncate(f, end); err != nil {
		return err
	}
	return osCalls.fdatasync(f)
}

// scanner holds the state of one Scan.
type scanner struct {
	path string
	opts ScanOptions
	size int64  // file size
	data []byte // the mapped file
	res  ScanResult
	torn bool // a torn tail starts at res.End

	chunk, lag int64 // pages behind the scan are released a chunk at a time, lag behind it
	released   int64 // data[:released] holds no page the scan still needs
}

// start sets the scan's first position and offset from the options and the header.
func (s *scanner) start(h Header) error {
	s.res.End, s.res.NextOffset = s.opts.From, s.opts.FromOffset
	if s.opts.From == 0 {
		s.res.End, s.res.NextOffset = HeaderSize, h.FirstOffset
	}
	if s.res.End < HeaderSize || s.res.End > s.size {
		return fmt.Errorf("segment %s: scan from position %d outside [%d, %d]", s.path, s.res.End, HeaderSize, s.size)
	}
	if s.res.NextOffset < h.FirstOffset {
		return fmt.Errorf("segment %s: scan from offset %d, segment starts at %d", s.path, s.res.NextOffset, h.FirstOffset)
	}
	return nil
}

// scanMapped maps the file and scans it, turning a fault on the mapping into an error.
func (s *scanner) scanMapped(f *os.File) (err error) {
	if s.res.End == s.size {
		return nil
	}
	if s.size > math.MaxInt {
		return fmt.Errorf("segment %s: scan: cannot map %d bytes", s.path, s.size)
	}
	m, err := mmap.MapRegion(f, int(s.size), mmap.RDONLY, 0, 0)
	if err != nil {
		return fmt.Errorf("segment %s: scan: map: %w", s.path, err)
	}
	defer m.Unmap()
	platform.AdviseSequential(m[s.res.End:])
	s.data = m
	s.chunk, s.lag = cmp.Or(s.opts.releaseChunk, releaseChunk), cmp.Or(s.opts.releaseLag, releaseLag)
	s.released = s.res.End / max(s.chunk, 1) * max(s.chunk, 1)
	if s.opts.mapped != nil {
		s.opts.mapped(m)
	}
	defer catchFault(debug.SetPanicOnFault(true), &err, s.path, s.res.End)
	return s.scan()
}

// scan walks the batches from res.End.
func (s *scanner) scan() error {
	prevLastMs, havePrev := int64(0), false
	for pos := s.res.End; pos < s.size; {
		rest := s.data[pos:]
		if indexNonZero(rest[:min(len(rest), batchCRCAt)]) < 0 && indexNonZero(rest) < 0 {
			return nil // preallocated zeros: the clean end
		}
		f, err := decodeFrame(rest)
		if err != nil {
			return s.bad(pos, err)
		}
		if f.firstOffset != s.res.NextOffset {
			return &CorruptionError{Path: s.path, Offset: pos,
				Reason: fmt.Sprintf("batch first offset %d, want %d", f.firstOffset, s.res.NextOffset)}
		}
		if havePrev && f.firstTimeMs < prevLastMs {
			return &CorruptionError{Path: s.path, Offset: pos,
				Reason: fmt.Sprintf("batch first time %d ms before the previous batch's last time %d ms", f.firstTimeMs, prevLastMs)}
		}
		s.good(f.info(pos))
		prevLastMs, havePrev = f.lastTimeMs, true
		pos += int64(f.size)
		s.releaseBehind(pos)
	}
	return nil
}

// releaseBehind drops from the process's resident set the whole chunks that end releaseLag
// or more before pos, which the scan has checked (the page cache keeps them), so that a scan
// of a large segment, at recovery or to rebuild an index, keeps a few MiB resident rather
// than the segment. A torn tail is looked for past pos only, so the scan never reads behind.
func (s *scanner) releaseBehind(pos int64) {
	if s.chunk <= 0 {
		return
	}
	if hi := (pos - s.lag) / s.chunk * s.chunk; hi > s.released {
		platform.AdviseRelease(s.data[s.released:hi])
		s.released = hi
	}
}

// good records a good batch.
func (s *scanner) good(b BatchInfo) {
	if s.res.Batches == 0 {
		s.res.FirstTimeMs = b.FirstTimeMs
	}
	s.res.Batches++
	s.res.LastTimeMs = b.LastTimeMs
	s.res.End = b.End()
	s.res.NextOffset = b.NextOffset()
	if s.opts.Batch != nil {
		s.opts.Batch(b)
	}
}

// bad handles a batch at pos that failed decodeFrame with err: a torn tail when Tail is set,
// no valid batch follows and the batch shows an incomplete write; corruption otherwise.
func (s *scanner) bad(pos int64, err error) error {
	err = at(err, s.path, pos)
	if !s.opts.Tail {
		return err
	}
	var ce *CorruptionError
	if q := s.findBatch(pos+1, s.res.NextOffset); q >= 0 {
		if !zeroPiece(s.data[pos:q], pos) {
			if errors.As(err, &ce) {
				ce.Reason += fmt.Sprintf("; a valid batch follows at position %d and no sector before it is missing, "+
					"so this is not a torn tail", q)
			}
			return err
		}
		s.res.DroppedBatches = s.countBatches(q)
	} else if !incomplete(s.data[pos:], pos) {
		if errors.As(err, &ce) {
			ce.Reason += "; no valid batch follows, but the batch is not a torn write (its length is one no writer writes, " +
				"or all its bytes are present), so this is damage, not a torn tail"
		}
		return err
	}
	s.torn = true
	s.res.DroppedBytes = int64(lastNonZero(s.data[pos:]) + 1)
	return nil
}

// incomplete reports whether the bad batch at the start of b, at file position pos, is a
// write that did not fully reach the disk (see Scan): the file ends inside it, its length
// word is zero, or one of its sectors is all zeros.
func incomplete(b []byte, pos int64) bool {
	if len(b) < batchCRCAt {
		return true
	}
	length := binary.LittleEndian.Uint32(b)
	size := int64(length) + batchCRCAt
	switch {
	case length == 0:
		return true
	case size < batchHeaderSize || size > MaxBatchBytes:
		return lengthWordTorn(b, pos)
	case size > int64(len(b)):
		return true
	}
	return zeroPiece(b[:size], pos)
}

// zeroPiece reports whether b, at file position pos, split at the file's multiples of
// sectorSize (its first and last pieces included), has a piece that is all zeros: a sector
// of it that was not written.
func zeroPiece(b []byte, pos int64) bool {
	size := int64(len(b))
	for from := int64(0); from < size; {
		to := min((pos+from)/sectorSize*sectorSize+sectorSize-pos, size)
		if indexNonZero(b[from:to]) < 0 {
			return true
		}
		from = to
	}
	return false
}

// countBatches counts the CRC-valid batches that follow one another from q.
func (s *scanner) countBatches(q int64) int {
	n := 0
	for q < s.size {
		f, err := decodeFrame(s.data[q:])
		if err != nil {
			break
		}
		n++
		q += int64(f.size)
	}
	return n
}

// lengthWordTorn reports whether the length word at the start of b, at file position pos,
// spans a sector boundary whose next sector is all zeros: a write that reached the disk up
// to that boundary and no further leaves a length that no writer writes, out of what was
// a whole batch.
func lengthWordTorn(b []byte, pos int64) bool {
	boundary := (pos/sectorSize+1)*sectorSize - pos // the first sector boundary after pos
	if boundary >= batchCRCAt || boundary >= int64(len(b)) {
		return false
	}
	end := min(boundary+sectorSize, int64(len(b)))
	return indexNonZero(b[boundary:end]) < 0
}

// findBatch returns the position of the first CRC-valid batch at or after from whose first
// offset is greater than next, or -1. Most positions fail one of the cheap checks on the
// length word, codec, count and first offset, so the CRC is computed rarely and the search
// stays near linear; runs of zeros are skipped a word at a time.
func (s *scanner) findBatch(from int64, next uint64) int64 {
	le := binary.LittleEndian
	for q := from; q+batchHeaderSize <= s.size; q++ {
		b := s.data[q:]
		if le.Uint32(b) == 0 {
			z := indexNonZero(b)
			if z < 0 {
				return -1
			}
			q += int64(max(z-batchCRCAt, 0)) // the first length word that can be non-zero
			continue
		}
		size := int64(le.Uint32(b)) + batchCRCAt
		if size < batchHeaderSize || size > MaxBatchBytes || size > int64(len(b)) ||
			!Codec(b[batchCodecAt]).valid() || le.Uint32(b[batchCountAt:]) == 0 ||
			le.Uint64(b[batchFirstOffsetAt:]) <= next {
			continue
		}
		if _, err := decodeFrame(b); err == nil {
			return q
		}
	}
	return -1
}

// lastNonZero returns the index of the last non-zero byte of b, or -1.
func lastNonZero(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0 {
			return i
		}
	}
	return -1
}
