package segment

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of the Writer, Reader and Scan lifecycle.
var (
	// ErrClosed is returned by every method of a Writer or Reader after Close.
	ErrClosed = errors.New("segment: closed")
)

// Errors of framing a batch (AppendBatch, Writer.Append). They describe the caller's records,
// not the file, and leave the segment unchanged.
var (
	// ErrEmptyBatch is returned when a batch would hold no records.
	ErrEmptyBatch = errors.New("segment: empty batch")
	// ErrBatchTooLarge is returned when the records of one batch do not fit in MaxBatchBytes.
	ErrBatchTooLarge = errors.New("segment: batch too large")
	// ErrTimeOrder is returned when a record's TimeMs is earlier than the one before it,
	// in the batch or in the batch appended before it.
	ErrTimeOrder = errors.New("segment: record times go backwards")
	// ErrOffsetOverflow is returned when the offsets of a batch would pass the largest uint64.
	ErrOffsetOverflow = errors.New("segment: offset overflow")
	// ErrUnknownCodec is returned for a Codec value that this version does not know.
	ErrUnknownCodec = errors.New("segment: unknown codec")
)

// Errors of reading the file header (DecodeHeader, OpenReader, OpenWriter, Scan), checked in
// this order: length, magic, version, checksum.
var (
	// ErrShortHeader is returned when the file is shorter than HeaderSize or its header is
	// all zeros: a Create that crashed before its header reached the disk.
	ErrShortHeader = errors.New("segment: header incomplete")
	// ErrBadMagic is returned when the file does not start with the segment magic: it is not a
	// segment file.
	ErrBadMagic = errors.New("segment: bad magic")
	// ErrBadVersion is returned for a format version this code cannot read.
	ErrBadVersion = errors.New("segment: unsupported format version")
	// ErrBadHeaderChecksum is returned, inside a *CorruptionError, when the header's CRC does
	// not match its bytes.
	ErrBadHeaderChecksum = errors.New("segment: header checksum mismatch")
)

// Errors of reading batches.
var (
	// ErrFault is returned when reading mapped memory faults: the file was cut short under
	// the mapping, or the disk failed to return a page.
	ErrFault = errors.New("segment: fault on mapped memory")
	// ErrCorrupt matches every *CorruptionError: bytes on disk that are not what the
	// writer wrote.
	ErrCorrupt = errors.New("segment: corrupt")
)

// CorruptionError reports damaged bytes: a batch or header that fails its bounds, checksum or
// structure checks, or a batch that does not follow its predecessor. errors.Is(err, ErrCorrupt)
// is true for it.
type CorruptionError struct {
	Path   string // file name; empty when decoding a buffer
	Offset int64  // byte position of the damaged batch (or header) in the file or buffer
	Reason string // what failed, with the numbers that disagree
	Err    error  // a more specific sentinel such as ErrBadHeaderChecksum, or nil
}

// Error names the file, the byte position and the failed check. A segment file is called a
// segment; other files that report damage with this type (a shard's manifest, an index)
// are named by their path alone.
func (e *CorruptionError) Error() string {
	switch {
	case e.Path == "":
		return fmt.Sprintf("segment: corrupt at position %d: %s", e.Offset, e.Reason)
	case strings.HasSuffix(e.Path, ".seg"):
		return fmt.Sprintf("segment %s: corrupt at position %d: %s", e.Path, e.Offset, e.Reason)
	}
	return fmt.Sprintf("%s: corrupt at position %d: %s", e.Path, e.Offset, e.Reason)
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }

// Unwrap returns the specific sentinel, if any.
func (e *CorruptionError) Unwrap() error { return e.Err }

// corruptf builds a *CorruptionError for a buffer position; callers that know the file fill
// in Path and shift Offset with at.
func corruptf(pos int64, format string, args ...any) *CorruptionError {
	return &CorruptionError{Offset: pos, Reason: fmt.Sprintf(format, args...)}
}

// at returns err with the file path set and its Offset moved by base, if err is a
// *CorruptionError; other errors are returned unchanged.
func at(err error, path string, base int64) error {
	var ce *CorruptionError
	if errors.As(err, &ce) {
		c := *ce
		c.Path = path
		c.Offset += base
		return &c
	}
	return err
}
