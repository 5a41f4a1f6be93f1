package shard

// The manifest is the shard's checkpoint: the one small file that says which segments make up
// the log, so that Open reads one file instead of opening every segment.
//
//	+--------------------------------------+ 0
//	| magic            "SLSM"        (4B)  |
//	| version          uint16        (2B)  |
//	| flags            uint16        (2B)  |  bit 0 clean shutdown, bit 1 sealed
//	| createdMs        int64         (8B)  |  shard creation time
//	| nextOffset       uint64        (8B)  |  offset after the newest checkpointed record
//	| lastTimeMs       int64         (8B)  |  arrival time of that record (0 if none)
//	| trimOffset       uint64        (8B)  |  no offset below this is ever served again
//	| segments         uint32        (4B)  |  number of segment entries that follow
//	+--------------------------------------+ 44 (manifestHeaderSize)
//	| segment entry × segments             |
//	|   baseOffset     uint64        (8B)  |  first offset; the file is %020d.seg
//	|   nextOffset     uint64        (8B)  |  offset after its last record
//	|   end            int64         (8B)  |  byte position after its last batch
//	|   firstTimeMs    int64         (8B)  |  arrival time of its first record
//	|   lastTimeMs     int64         (8B)  |  arrival time of its last record
//	+--------------------------------------+
//	| crc              uint32        (4B)  |  CRC-32C (Castagnoli) of every byte before it
//	+--------------------------------------+
//
// All integers are little-endian. Segment entries are in offset order and contiguous: each
// starts at the next offset of the one before.
//
// Every segment but the last is sealed: its entry is final, and its .idx file carries the same
// Meta. Unless the shard is sealed, the last entry is the active segment, and its numbers are
// a checkpoint: bytes up to end were synced when the manifest was written, and the active
// segment's .idx file was written with the same Meta. Recovery scans only past that point.
// With the clean flag the checkpoint is exact (Close wrote it after the last append), and
// Open scans nothing.
//
// The manifest is replaced atomically: manifest.tmp is written and synced, renamed over
// manifest, and the directory is synced.
//
// Version history:
//
//	1: the first format.

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"strconv"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
)

const (
	manifestName       = "manifest"                    // the checkpoint file in the shard directory
	manifestMagic      = "SLSM"                        // shardlog shard manifest
	manifestVersion    = 1                             // written by this code
	minReadable        = 1                             // oldest version this code reads
	tmpSuffix          = ".tmp"                        // atomic replacement in progress
	segmentSuffix      = ".seg"                        // segment file: %020d.seg
	indexSuffix        = ".idx"                        // its sparse index: %020d.idx
	nameDigits         = 20                            // zero padding of segment names: a name sort is an offset sort
	flagClean          = 1 << 0                        // written by Close after the last append
	flagSealed         = 1 << 1                        // Seal: no more appends
	crcSize            = 4                             // trailing CRC-32C
	entrySize          = 5 * 8                         // one segment entry
	maxSegments        = 16 << 20                      // bound on the entry count, checked before allocating
	manifestHeaderSize = 4 + 2 + 2 + 8 + 8 + 8 + 8 + 4 // magic through segments
)

var (
	le         = binary.LittleEndian
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

// manifest is the decoded checkpoint.
type manifest struct {
	clean      bool
	sealed     bool
	createdMs  int64
	nextOffset uint64
	lastTimeMs int64
	trimOffset uint64
	segments   []index.Meta
}

// appendManifest encodes m after dst.
func appendManifest(dst []byte, m manifest) []byte {
	var flags uint16
	if m.clean {
		flags |= flagClean
	}
	if m.sealed {
		flags |= flagSealed
	}
	start := len(dst)
	dst = append(dst, manifestMagic...)
	dst = le.AppendUint16(dst, manifestVersion)      // version
	dst = le.AppendUint16(dst, flags)                // flags
	dst = le.AppendUint64(dst, uint64(m.createdMs))  // createdMs
	dst = le.AppendUint64(dst, m.nextOffset)         // nextOffset
	dst = le.AppendUint64(dst, uint64(m.lastTimeMs)) // lastTimeMs
	dst = le.AppendUint64(dst, m.trimOffset)         // trimOffset
	dst = le.AppendUint32(dst, uint32(len(m.segments)))
	for _, g := range m.segments {
		dst = le.AppendUint64(dst, g.BaseOffset)          // baseOffset
		dst = le.AppendUint64(dst, g.NextOffset)          // nextOffset
		dst = le.AppendUint64(dst, uint64(g.End))         // end
		dst = le.AppendUint64(dst, uint64(g.FirstTimeMs)) // firstTimeMs
		dst = le.AppendUint64(dst, uint64(g.LastTimeMs))  // lastTimeMs
	}
	return le.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// decodeManifest decodes b, checking magic, then version, then length and checksum, then that
// the segments are ordered and consistent. A failed check is a *segment.CorruptionError.
func decodeManifest(path string, b []byte) (manifest, error) {
	bad := func(pos int, format string, args ...any) (manifest, error) {
		return manifest{}, &segment.CorruptionError{Path: path, Offset: int64(pos), Reason: fmt.Sprintf(format, args...)}
	}
	if len(b) < manifestHeaderSize+crcSize {
		return bad(0, "manifest is %d bytes, shorter than the %d-byte minimum", len(b), manifestHeaderSize+crcSize)
	}
	if string(b[:4]) != manifestMagic {
		return bad(0, "bad magic %q, want %q", b[:4], manifestMagic)
	}
	if v := le.Uint16(b[4:]); v < minReadable || v > manifestVersion {
		return bad(4, "version %d, this code reads %d to %d", v, minReadable, manifestVersion)
	}
	n := le.Uint32(b[40:])
	if n > maxSegments || len(b) != manifestHeaderSize+int(n)*entrySize+crcSize {
		return bad(40, "%d segments need %d bytes, file has %d", n, manifestHeaderSize+int64(n)*entrySize+crcSize, len(b))
	}
	body := b[:len(b)-crcSize]
	if got, want := crc32.Checksum(body, castagnoli), le.Uint32(b[len(body):]); got != want {
		return bad(len(body), "checksum %#08x, want %#08x", got, want)
	}
	flags := le.Uint16(b[6:])
	if flags&^(flagClean|flagSealed) != 0 {
		return bad(6, "unknown flags %#04x", flags)
	}
	m := manifest{
		clean:      flags&flagClean != 0,
		sealed:     flags&flagSealed != 0,
		createdMs:  int64(le.Uint64(b[8:])),
		nextOffset: le.Uint64(b[16:]),
		lastTimeMs: int64(le.Uint64(b[24:])),
		trimOffset: le.Uint64(b[32:]),
		segments:   make([]index.Meta, n),
	}
	for i := range m.segments {
		e := b[manifestHeaderSize+i*entrySize:]
		m.segments[i] = index.Meta{
			BaseOffset:  le.Uint64(e[0:]),
			NextOffset:  le.Uint64(e[8:]),
			End:         int64(le.Uint64(e[16:])),
			FirstTimeMs: int64(le.Uint64(e[24:])),
			LastTimeMs:  int64(le.Uint64(e[32:])),
		}
	}
	if err := m.check(); err != nil {
		return bad(manifestHeaderSize, "%s", err)
	}
	return m, nil
}

// check verifies that the segment entries describe one ordered log ending at nextOffset.
func (m manifest) check() error {
	for i, g := range m.segments {
		switch {
		case g.NextOffset < g.BaseOffset:
			return fmt.Errorf("segment %d: next offset %d before base offset %d", i, g.NextOffset, g.BaseOffset)
		case g.End < segment.HeaderSize:
			return fmt.Errorf("segment %d: end %d inside the %d-byte header", i, g.End, segment.HeaderSize)
		case g.NextOffset > g.BaseOffset && g.LastTimeMs < g.FirstTimeMs:
			return fmt.Errorf("segment %d: last time %d before first time %d", i, g.LastTimeMs, g.FirstTimeMs)
		case i > 0 && g.BaseOffset != m.segments[i-1].NextOffset:
			return fmt.Errorf("segment %d: base offset %d, previous segment ends at %d", i, g.BaseOffset, m.segments[i-1].NextOffset)
		}
	}
	if n := len(m.segments); n > 0 && m.segments[n-1].NextOffset != m.nextOffset {
		return fmt.Errorf("last segment ends at %d, next offset is %d", m.segments[n-1].NextOffset, m.nextOffset)
	}
	return nil
}

// segmentName returns the file name of the segment whose first offset is base.
func segmentName(base uint64) string { return fmt.Sprintf("%0*d%s", nameDigits, base, segmentSuffix) }

// indexName returns the file name of that segment's index.
func indexName(base uint64) string { return fmt.Sprintf("%0*d%s", nameDigits, base, indexSuffix) }

// parseName returns the base offset and suffix of a segment or index file name.
func parseName(name string) (base uint64, suffix string, ok bool) {
	ext := filepath.Ext(name)
	if (ext != segmentSuffix && ext != indexSuffix) || len(name) != nameDigits+len(ext) {
		return 0, "", false
	}
	base, err := strconv.ParseUint(name[:nameDigits], 10, 64)
	if err != nil || name[0] == '+' {
		return 0, "", false
	}
	return base, ext, true
}
