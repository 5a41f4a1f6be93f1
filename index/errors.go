package index

import (
	"errors"
	"fmt"
)

// Errors from reading an index file or its bytes (Open, Load, Decode).
var (
	// ErrCorrupt is matched (errors.Is) by every error about the bytes of an index:
	// too short, wrong magic, unreadable version, checksum mismatch, or entries that
	// disagree with the Meta they came with. The concrete error is a *CorruptionError.
	// An index is a cache, so the usual answer is to rebuild it (see Load).
	ErrCorrupt = errors.New("index: corrupt")
)

// ErrFault is returned by Open when reading the mapped file faults: the file was cut short
// while being opened, or the disk failed to read a page.
var ErrFault = errors.New("index: memory fault reading the mapped file")

// Errors from using an Index.
var (
	// ErrClosed is returned by Close and WriteFile after Close.
	ErrClosed = errors.New("index: closed")
)

// Errors from writing an index (WriteFile).
var (
	// ErrMeta is returned by WriteFile when the Meta does not describe the kept entries
	// (an entry outside [BaseOffset, NextOffset) or past End, a time outside
	// [FirstTimeMs, LastTimeMs]). Writing it would give a file that Open rejects.
	ErrMeta = errors.New("index: meta disagrees with entries")
)

// CorruptionError reports damaged index bytes: which file, where, and what failed.
// It matches ErrCorrupt with errors.Is.
type CorruptionError struct {
	Path   string // the index file; empty for Decode
	Offset int64  // byte position in the file where the problem was found
	Reason string // what failed, with the numbers
}

func (e *CorruptionError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("index: corrupt at byte %d: %s", e.Offset, e.Reason)
	}
	return fmt.Sprintf("index: corrupt %s at byte %d: %s", e.Path, e.Offset, e.Reason)
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }

func corruptf(offset int64, format string, args ...any) *CorruptionError {
	return &CorruptionError{Offset: offset, Reason: fmt.Sprintf(format, args...)}
}
