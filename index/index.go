package index

import (
	"fmt"
	"sync/atomic"

	"github.com/edsrzf/mmap-go"
)

// Entry points at one batch of a segment.
type Entry struct {
	Offset   uint64 // first offset of the batch
	Position int64  // byte position of the batch in the segment file
	TimeMs   int64  // arrival time of the batch's first record (ms since epoch); non-decreasing
}

func (e Entry) String() string {
	return fmt.Sprintf("{offset %d, position %d, time %d}", e.Offset, e.Position, e.TimeMs)
}

// Meta summarizes the segment the index covers; it lets a shard know a sealed segment's facts
// without opening the segment.
type Meta struct {
	BaseOffset  uint64 // first offset of the segment
	NextOffset  uint64 // offset after its last record
	End         int64  // byte position after its last batch (= the sealed segment's file size)
	FirstTimeMs int64  // arrival time of the segment's first record
	LastTimeMs  int64  // arrival time of the segment's last record
}

// Index is the sparse index of one segment. It is either built in memory (New, then Add per
// batch) or opened read-only from a file (Open, Load); both keep the entries in their encoded
// form, so Seek and SeekTime run the same binary search over either.
type Index struct {
	base     uint64
	interval int64

	// view holds the kept entries, encoded as in the file. Add publishes a longer slice after
	// writing its new bytes, so readers that load view never see a half-written entry.
	view   atomic.Pointer[[]byte]
	closed atomic.Bool

	// Used by Add only (one Add at a time).
	buf      []byte // backing store of view for an in-memory index
	added    bool   // whether Add has been called
	last     Entry  // the entry of the last Add, kept or not
	lastKept int64  // position of the last kept entry

	mapping mmap.MMap // the file's mapping, for an opened index; nil in memory
}

// New returns an empty in-memory index for a segment whose first offset is baseOffset,
// keeping one entry per intervalBytes of segment (0 means DefaultIntervalBytes).
// It panics if intervalBytes is negative.
func New(baseOffset uint64, intervalBytes int64) *Index {
	if intervalBytes < 0 {
		panic(fmt.Sprintf("index: New: negative interval %d", intervalBytes))
	}
	if intervalBytes == 0 {
		intervalBytes = DefaultIntervalBytes
	}
	x := &Index{base: baseOffset, interval: intervalBytes}
	// Publish a slice of its own, not &x.buf: Add assigns x.buf while readers may be
	// dereferencing what view points at.
	var empty []byte
	x.view.Store(&empty)
	return x
}

// BaseOffset returns the first offset of the segment the index covers.
func (x *Index) BaseOffset() uint64 { return x.base }

// Add is called for every batch in order; it keeps e if it is the first entry or if
// e.Position is at least intervalBytes past the last kept entry. Entries must be increasing in
// Offset and Position and non-decreasing in TimeMs, and Offset must not be below the base
// offset (a programmer error otherwise: panic). Add also panics on an index opened from a
// file, which is read-only. After Close, Add does nothing.
//
// An entry the file format cannot hold (Position at or past 4 GiB, or Offset 2³² or more past
// the base offset) is not kept; the index stays correct, only sparser (see format.go).
func (x *Index) Add(e Entry) {
	if x.mapping != nil {
		panic("index: Add on an index opened from a file")
	}
	if x.closed.Load() {
		return
	}
	x.checkOrder(e)
	keep := len(x.buf) == 0 || e.Position-x.lastKept >= x.interval
	x.last, x.added = e, true
	if !keep || !representable(x.base, e) || len(x.buf)/entrySize >= maxEntries {
		return
	}
	buf := appendEntry(x.buf, x.base, e)
	x.buf = buf
	x.lastKept = e.Position
	x.view.Store(&buf)
}

func (x *Index) checkOrder(e Entry) {
	switch {
	case e.Offset < x.base:
		panic(fmt.Sprintf("index: Add(%v): offset before base offset %d", e, x.base))
	case e.Position < 0:
		panic(fmt.Sprintf("index: Add(%v): negative position", e))
	case !x.added:
	case e.Offset <= x.last.Offset, e.Position <= x.last.Position, e.TimeMs < x.last.TimeMs:
		panic(fmt.Sprintf("index: Add(%v) after %v: entries must increase", e, x.last))
	}
}

// entries returns the kept entries, encoded; empty after Close.
func (x *Index) entries() []byte {
	if p := x.view.Load(); p != nil {
		return *p
	}
	return nil
}

// Len returns the number of kept entries (0 after Close).
func (x *Index) Len() int { return len(x.entries()) / entrySize }

// Entry returns kept entry i, 0 <= i < Len(); it panics if i is out of range.
func (x *Index) Entry(i int) Entry {
	raw := x.entries()
	if i < 0 || i >= len(raw)/entrySize {
		panic(fmt.Sprintf("index: Entry(%d) out of range [0, %d)", i, len(raw)/entrySize))
	}
	return decodeEntry(raw, i, x.base)
}

// Seek returns the last kept entry with Offset <= offset (the first entry if offset is before
// it). ok is false only when the index is empty. The caller scans forward from Entry.Position.
func (x *Index) Seek(offset uint64) (e Entry, ok bool) {
	raw := x.entries()
	n := len(raw) / entrySize
	if n == 0 {
		return Entry{}, false
	}
	var i int
	switch {
	case offset < x.base:
		i = 0
	case offset-x.base > maxRelative:
		i = n - 1
	default:
		i = searchOffset(raw, n, uint32(offset-x.base))
	}
	return decodeEntry(raw, i, x.base), true
}

// SeekTime returns the last kept entry with TimeMs < ms (the first entry if none), so that
// scanning forward from it finds the first record with arrival time >= ms. ok is false only
// when the index is empty.
func (x *Index) SeekTime(ms int64) (e Entry, ok bool) {
	raw := x.entries()
	n := len(raw) / entrySize
	if n == 0 {
		return Entry{}, false
	}
	return decodeEntry(raw, searchTime(raw, n, ms), x.base), true
}

// searchOffset returns the last i in [0, n) whose relative offset is <= rel, or 0 if none is.
func searchOffset(raw []byte, n int, rel uint32) int {
	lo, hi := 0, n // invariant: entries before lo are <= rel, entries from hi on are > rel
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if relOffsetAt(raw, mid) <= rel {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return max(lo-1, 0)
}

// searchTime returns the last i in [0, n) whose time is < ms, or 0 if none is.
func searchTime(raw []byte, n int, ms int64) int {
	lo, hi := 0, n // invariant: entries before lo are < ms, entries from hi on are >= ms
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if timeAt(raw, mid) < ms {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return max(lo-1, 0)
}

// Close releases the index: it unmaps an opened index's file (an in-memory index has nothing
// to release). Afterwards the index is empty, Add does nothing, and Close and WriteFile
// return ErrClosed.
func (x *Index) Close() error {
	if x.closed.Swap(true) {
		return ErrClosed
	}
	x.view.Store(nil)
	x.buf = nil
	if x.mapping == nil {
		return nil
	}
	m := x.mapping
	x.mapping = nil
	if err := m.Unmap(); err != nil {
		return fmt.Errorf("index: unmap: %w", err)
	}
	return nil
}
