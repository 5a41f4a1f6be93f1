package index

// An index file holds the Meta of one segment and its kept entries, then a checksum.
// All integers are little-endian.
//
//	+---------------------------------------------------------------+
//	| header (56 bytes)                                             |
//	|   0  magic         4  "SLIX"                                  |
//	|   4  version       2  uint16, currently 1                     |
//	|   6  reserved      2  zero                                    |
//	|   8  base offset   8  uint64  Meta.BaseOffset                 |
//	|  16  next offset   8  uint64  Meta.NextOffset                 |
//	|  24  end           8  int64   Meta.End                        |
//	|  32  first time    8  int64   Meta.FirstTimeMs                |
//	|  40  last time     8  int64   Meta.LastTimeMs                 |
//	|  48  entry count   4  uint32  n                               |
//	|  52  reserved      4  zero                                    |
//	+---------------------------------------------------------------+
//	| entries (n × 16 bytes), in increasing offset order            |
//	|   0  offset        4  uint32  Entry.Offset − base offset      |
//	|   4  position      4  uint32  Entry.Position                  |
//	|   8  time          8  int64   Entry.TimeMs                    |
//	+---------------------------------------------------------------+
//	| crc               4  CRC-32C (Castagnoli) of every byte above  |
//	+---------------------------------------------------------------+
//
// The file size is exactly 56 + 16n + 4, so a file cut short or padded (with zeros after a
// crash, say) never parses: nothing in the file is trusted before the checksum matches, and
// not even then unless the entries agree with the Meta (in range, ordered).
//
// Why 32 bits are enough for an entry's offset and position: a shard rolls its segments at
// 64 MiB by default, and a record takes at least a few bytes, so both a byte position and a
// count of records in one segment stay far below 2³². A segment larger than 4 GiB still gets
// a correct index: Add keeps no entry it cannot represent, so past 4 GiB (or 2³² records) the
// index simply holds no more entries, Seek returns the last representable one, and the caller
// scans further. WriteFile therefore never meets a value that does not fit; Encode, which
// takes arbitrary entries, panics on one, as that is a programmer error.
//
// Entries start 8-byte aligned (the header is 56 bytes and the mapping is page-aligned).
//
// Version history:
//
//	1  the layout above.

import (
	"encoding/binary"
	"hash/crc32"
	"math"
)

const (
	magic = "SLIX" // first 4 bytes of every index file

	version            = 1 // the version WriteFile and Encode write
	minReadableVersion = 1 // the oldest version Open and Decode read

	// DefaultIntervalBytes is the spacing of kept entries when New is given 0.
	DefaultIntervalBytes = 4096
)

// Byte positions of the header fields.
const (
	offMagic       = 0
	offVersion     = offMagic + 4
	offReserved    = offVersion + 2
	offBaseOffset  = offReserved + 2
	offNextOffset  = offBaseOffset + 8
	offEnd         = offNextOffset + 8
	offFirstTimeMs = offEnd + 8
	offLastTimeMs  = offFirstTimeMs + 8
	offCount       = offLastTimeMs + 8
	offPad         = offCount + 4
	headerSize     = offPad + 4 // 56
)

// Byte positions inside one entry.
const (
	entryOffOffset   = 0
	entryOffPosition = entryOffOffset + 4
	entryOffTimeMs   = entryOffPosition + 4
	entrySize        = entryOffTimeMs + 8 // 16
)

const (
	crcSize     = 4
	minFileSize = headerSize + crcSize // an index with no entries
	maxEntries  = math.MaxUint32       // the entry count is a uint32
	maxFileSize = headerSize + maxEntries*entrySize + crcSize
	maxRelative = math.MaxUint32 // largest Entry.Offset − base offset an entry can hold
	maxPosition = math.MaxUint32 // largest Entry.Position an entry can hold
)

var (
	le         = binary.LittleEndian
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

// Encode returns the bytes of an index file holding m and entries, exactly as WriteFile
// writes them. It does not check that entries agree with m (Decode does); it panics if an
// entry cannot be represented (Offset below m.BaseOffset or more than 2³²−1 past it,
// Position outside [0, 2³²−1]).
func Encode(m Meta, entries []Entry) []byte {
	b := make([]byte, 0, headerSize+len(entries)*entrySize+crcSize)
	b = appendHeader(b, m, len(entries))
	for _, e := range entries {
		if !representable(m.BaseOffset, e) {
			panic("index: Encode: entry " + e.String() + " does not fit the format")
		}
		b = appendEntry(b, m.BaseOffset, e)
	}
	return appendCRC(b)
}

// Decode parses the bytes of an index file. It is strict: whatever it accepts, Encode turns
// back into the same bytes. Any problem is a *CorruptionError matching ErrCorrupt.
func Decode(b []byte) (Meta, []Entry, error) {
	m, raw, err := parse(b)
	if err != nil {
		return Meta{}, nil, err
	}
	entries := make([]Entry, len(raw)/entrySize)
	for i := range entries {
		entries[i] = decodeEntry(raw, i, m.BaseOffset)
	}
	return m, entries, nil
}

func appendHeader(b []byte, m Meta, n int) []byte {
	if n > maxEntries {
		panic("index: more entries than the format can count")
	}
	b = append(b, magic...)                       // magic
	b = le.AppendUint16(b, version)               // version
	b = le.AppendUint16(b, 0)                     // reserved
	b = le.AppendUint64(b, m.BaseOffset)          // base offset
	b = le.AppendUint64(b, m.NextOffset)          // next offset
	b = le.AppendUint64(b, uint64(m.End))         // end
	b = le.AppendUint64(b, uint64(m.FirstTimeMs)) // first time
	b = le.AppendUint64(b, uint64(m.LastTimeMs))  // last time
	b = le.AppendUint32(b, uint32(n))             // entry count
	b = le.AppendUint32(b, 0)                     // reserved
	return b
}

func appendEntry(b []byte, base uint64, e Entry) []byte {
	b = le.AppendUint32(b, uint32(e.Offset-base)) // offset relative to base
	b = le.AppendUint32(b, uint32(e.Position))    // position
	b = le.AppendUint64(b, uint64(e.TimeMs))      // time
	return b
}

func appendCRC(b []byte) []byte {
	return le.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// representable reports whether e fits an entry of an index whose base offset is base.
func representable(base uint64, e Entry) bool {
	return e.Offset >= base && e.Offset-base <= maxRelative &&
		e.Position >= 0 && e.Position <= maxPosition
}

// Accessors for entry i of raw encoded entries; they compile to single loads.
func relOffsetAt(raw []byte, i int) uint32 { return le.Uint32(raw[i*entrySize+entryOffOffset:]) }
func positionAt(raw []byte, i int) uint32  { return le.Uint32(raw[i*entrySize+entryOffPosition:]) }
func timeAt(raw []byte, i int) int64       { return int64(le.Uint64(raw[i*entrySize+entryOffTimeMs:])) }

func decodeEntry(raw []byte, i int, base uint64) Entry {
	return Entry{
		Offset:   base + uint64(relOffsetAt(raw, i)),
		Position: int64(positionAt(raw, i)),
		TimeMs:   timeAt(raw, i),
	}
}

// parse checks b as a whole index file (magic, then version, then length, then checksum,
// then the header's reserved fields and entry count, then the entries against the Meta)
// and returns its Meta and its encoded entries, which alias b.
func parse(b []byte) (Meta, []byte, error) {
	if err := checkPrefix(b); err != nil {
		return Meta{}, nil, err
	}
	body := b[:len(b)-crcSize]
	stored := le.Uint32(b[len(body):])
	if sum := crc32.Checksum(body, castagnoli); sum != stored {
		return Meta{}, nil, corruptf(int64(len(body)), "checksum %#08x, stored %#08x", sum, stored)
	}
	if r := le.Uint16(b[offReserved:]); r != 0 {
		return Meta{}, nil, corruptf(offReserved, "reserved field is %#x, want 0", r)
	}
	if r := le.Uint32(b[offPad:]); r != 0 {
		return Meta{}, nil, corruptf(offPad, "reserved field is %#x, want 0", r)
	}
	n := uint64(le.Uint32(b[offCount:]))
	if have := uint64(len(body) - headerSize); have != n*entrySize {
		return Meta{}, nil, corruptf(offCount, "%d entries need %d bytes, file has %d", n, n*entrySize, have)
	}
	m := decodeMeta(b)
	raw := body[headerSize:]
	if err := check(m, raw); err != nil {
		return Meta{}, nil, err
	}
	return m, raw, nil
}

// checkPrefix checks magic, version and size, in that order, so that each problem gets its
// own error.
func checkPrefix(b []byte) error {
	if len(b) < len(magic) {
		return corruptf(0, "file is %d bytes, shorter than the magic", len(b))
	}
	if string(b[:len(magic)]) != magic {
		return corruptf(offMagic, "bad magic %q, want %q", b[:len(magic)], magic)
	}
	if len(b) < offVersion+2 {
		return corruptf(int64(len(b)), "file is %d bytes, too short for a version", len(b))
	}
	if v := le.Uint16(b[offVersion:]); v < minReadableVersion || v > version {
		return corruptf(offVersion, "version %d, readable versions are %d to %d", v, minReadableVersion, version)
	}
	if len(b) < minFileSize {
		return corruptf(int64(len(b)), "file is %d bytes, shorter than the %d-byte minimum", len(b), minFileSize)
	}
	if len(b) > maxFileSize {
		return corruptf(maxFileSize, "file is %d bytes, longer than the %d-byte maximum", len(b), maxFileSize)
	}
	return nil
}

func decodeMeta(b []byte) Meta {
	return Meta{
		BaseOffset:  le.Uint64(b[offBaseOffset:]),
		NextOffset:  le.Uint64(b[offNextOffset:]),
		End:         int64(le.Uint64(b[offEnd:])),
		FirstTimeMs: int64(le.Uint64(b[offFirstTimeMs:])),
		LastTimeMs:  int64(le.Uint64(b[offLastTimeMs:])),
	}
}

// check reports whether the encoded entries raw are consistent with m: m itself is sane,
// every entry lies inside the segment m describes, and entries are strictly increasing in
// offset and position and non-decreasing in time. Offsets in errors are file positions.
func check(m Meta, raw []byte) *CorruptionError {
	if m.NextOffset < m.BaseOffset {
		return corruptf(offNextOffset, "next offset %d is before base offset %d", m.NextOffset, m.BaseOffset)
	}
	if m.End < 0 {
		return corruptf(offEnd, "end %d is negative", m.End)
	}
	n := len(raw) / entrySize
	if m.NextOffset == m.BaseOffset {
		if n > 0 {
			return corruptf(headerSize, "%d entries for a segment with no records", n)
		}
		return nil
	}
	if m.LastTimeMs < m.FirstTimeMs {
		return corruptf(offLastTimeMs, "last time %d is before first time %d", m.LastTimeMs, m.FirstTimeMs)
	}
	if n == 0 || entriesInOrder(raw) && entryInside(m, raw, 0) && entryInside(m, raw, n-1) {
		return nil
	}
	// Find the first bad entry, to say what is wrong with it.
	for i := 0; i < n; i++ {
		if err := checkEntry(m, raw, i); err != nil {
			return err
		}
	}
	return corruptf(headerSize, "entries disagree with the header") // not reached
}

// entriesInOrder reports whether the encoded entries raw are strictly increasing in offset
// and position and non-decreasing in time. Together with the first and the last entry lying
// inside the segment, that puts every entry inside it. This loop is most of Open's work, so
// it walks the bytes directly.
func entriesInOrder(raw []byte) bool {
	if len(raw) < entrySize {
		return true
	}
	prevRel, prevPos, prevT := relOffsetAt(raw, 0), positionAt(raw, 0), timeAt(raw, 0)
	for raw = raw[entrySize:]; len(raw) >= entrySize; raw = raw[entrySize:] {
		rel := le.Uint32(raw[entryOffOffset:])
		pos := le.Uint32(raw[entryOffPosition:])
		t := int64(le.Uint64(raw[entryOffTimeMs:]))
		if rel <= prevRel || pos <= prevPos || t < prevT {
			return false
		}
		prevRel, prevPos, prevT = rel, pos, t
	}
	return true
}

// entriesInside reports whether entry i lies inside the segment m describes.
func entryInside(m Meta, raw []byte, i int) bool {
	t := timeAt(raw, i)
	return uint64(relOffsetAt(raw, i)) < m.NextOffset-m.BaseOffset &&
		int64(positionAt(raw, i)) < m.End &&
		t >= m.FirstTimeMs && t <= m.LastTimeMs
}

func checkEntry(m Meta, raw []byte, i int) *CorruptionError {
	at := int64(headerSize + i*entrySize)
	rel, pos, t := relOffsetAt(raw, i), positionAt(raw, i), timeAt(raw, i)
	switch {
	case uint64(rel) >= m.NextOffset-m.BaseOffset:
		return corruptf(at, "entry %d: offset %d is not before next offset %d", i, m.BaseOffset+uint64(rel), m.NextOffset)
	case int64(pos) >= m.End:
		return corruptf(at, "entry %d: position %d is not before end %d", i, pos, m.End)
	case t < m.FirstTimeMs || t > m.LastTimeMs:
		return corruptf(at, "entry %d: time %d is outside [%d, %d]", i, t, m.FirstTimeMs, m.LastTimeMs)
	case i == 0:
		return nil
	case rel <= relOffsetAt(raw, i-1):
		return corruptf(at, "entry %d: offset %d is not after the previous entry's %d", i,
			m.BaseOffset+uint64(rel), m.BaseOffset+uint64(relOffsetAt(raw, i-1)))
	case pos <= positionAt(raw, i-1):
		return corruptf(at, "entry %d: position %d is not after the previous entry's %d", i, pos, positionAt(raw, i-1))
	case t < timeAt(raw, i-1):
		return corruptf(at, "entry %d: time %d is before the previous entry's %d", i, t, timeAt(raw, i-1))
	}
	return nil
}
