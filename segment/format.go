package segment

// The segment file format.
//
// A segment is a file header followed by batches, then (while the segment is active) the
// zeros of preallocated space. All integers are little-endian. A zero length word where a
// batch would start means "no more batches".
//
//	+--------------------+---------+---------+-----+---------+--------------------+
//	| file header (28 B) | batch 0 | batch 1 | ... | batch n | zeros (preallocated)|
//	+--------------------+---------+---------+-----+---------+--------------------+
//
// File header, HeaderSize = 28 bytes:
//
//	+----------+------------+-----------------+---------------+--------+
//	| magic 6B | version 2B | first offset 8B | created ms 8B | CRC 4B |
//	+----------+------------+-----------------+---------------+--------+
//	  "SHLSEG"   uint16       uint64            int64           CRC-32C of bytes [0, 24)
//
// Batch, a 41-byte header and the records section:
//
//	+-----------+--------+----------+-----------------+----------+-------------+-------------+-------------+----------+
//	| length 4B | CRC 4B | codec 1B | first offset 8B | count 4B | first ms 8B | last ms 8B  | raw size 4B | records  |
//	+-----------+--------+----------+-----------------+----------+-------------+-------------+-------------+----------+
//	  uint32      uint32   uint8      uint64            uint32     int64         int64         uint32        raw size bytes,
//	  bytes after          Codec      offset of the     records    arrival time  arrival time  records       or fewer when
//	  this field           value      first record      (>= 1)     of record 0   of the last   section size  compressed
//	                                                                             record        uncompressed
//
// The CRC is CRC-32C (Castagnoli) of every byte after the CRC field: codec through the end of
// the records section. It does not cover the length word; a damaged length makes the CRC run
// over the wrong bytes and fail. With CodecNone the records section is stored as is (raw size
// equals its length); otherwise it holds the compressed records section, which must be
// smaller than raw size (the writer stores a batch uncompressed when compression saves less
// than 10 %; readers accept any saving).
//
// Records section: count records, back to back, no padding:
//
//	+--------------------+---------------------+-----+----------------------+------+
//	| time delta uvarint | key length uvarint  | key | data length uvarint  | data |
//	+--------------------+---------------------+-----+----------------------+------+
//
// The time delta is TimeMs minus the batch's first ms. Deltas never decrease, the first is
// zero, and the last equals last ms minus first ms. Uvarints are minimal (no trailing 0x80
// groups), so every decodable batch has exactly one encoding.
//
// Offsets are not stored per record: record i of a batch has offset first offset + i, and the
// first offset of a batch is the previous batch's first offset + count (the header's first
// offset for batch 0).

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
	"slices"
	"sync"
)

// Format versions. Readers accept minReadableVersion through FormatVersion; writers write
// FormatVersion. Keep the golden files of every version in testdata/.
//
//	1  28-byte file header, 41-byte batch header, uvarint record fields; codecs none, s2, zstd.
const (
	FormatVersion      uint16 = 1 // written by this code
	minReadableVersion uint16 = 1 // oldest version this code reads
)

// magic opens every segment file.
var magic = [6]byte{'S', 'H', 'L', 'S', 'E', 'G'}

// File header layout.
const (
	headerMagicAt       = 0                       // [6]byte "SHLSEG"
	headerVersionAt     = headerMagicAt + 6       // uint16 format version
	headerFirstOffsetAt = headerVersionAt + 2     // uint64 offset of the segment's first record
	headerCreatedAt     = headerFirstOffsetAt + 8 // int64 creation time, ms since the Unix epoch
	headerCRCAt         = headerCreatedAt + 8     // uint32 CRC-32C of bytes [0, headerCRCAt)
	HeaderSize          = headerCRCAt + 4         // bytes of the file header; the first batch starts here
)

// Batch layout.
const (
	batchLengthAt      = 0                      // uint32 bytes of the batch after this field
	batchCRCAt         = batchLengthAt + 4      // uint32 CRC-32C of bytes [batchCodecAt, end)
	batchCodecAt       = batchCRCAt + 4         // uint8 Codec
	batchFirstOffsetAt = batchCodecAt + 1       // uint64 offset of record 0
	batchCountAt       = batchFirstOffsetAt + 8 // uint32 number of records
	batchFirstTimeAt   = batchCountAt + 4       // int64 TimeMs of record 0
	batchLastTimeAt    = batchFirstTimeAt + 8   // int64 TimeMs of the last record
	batchRawSizeAt     = batchLastTimeAt + 8    // uint32 size of the uncompressed records section
	batchHeaderSize    = batchRawSizeAt + 4     // bytes before the records section

	// MaxBatchBytes bounds one framed batch, header included. Readers check a batch's
	// length word against it (and against the bytes present) before allocating anything.
	MaxBatchBytes = 32 << 20

	maxRawSize    = MaxBatchBytes - batchHeaderSize // largest uncompressed records section
	minRecordSize = 3                               // three one-byte uvarints, empty key and data
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// Record is one record of a batch.
type Record struct {
	Offset       uint64 // set when decoding; ignored by Append (offsets are assigned densely)
	TimeMs       int64  // arrival time, ms since the Unix epoch; set by the caller before Append
	PartitionKey []byte
	Data         []byte
}

// BatchInfo describes one batch as framed on disk.
type BatchInfo struct {
	Position    int64 // byte position of the batch's first byte in its file
	Size        int64 // bytes on disk including framing; the next batch starts at Position+Size
	Codec       Codec
	FirstOffset uint64
	Count       int
	FirstTimeMs int64
	LastTimeMs  int64
}

// NextOffset returns the offset after the batch's last record: FirstOffset + Count.
func (b BatchInfo) NextOffset() uint64 { return b.FirstOffset + uint64(b.Count) }

// End returns the position after the batch: Position + Size.
func (b BatchInfo) End() int64 { return b.Position + b.Size }

// Header is the file header.
type Header struct {
	Version     uint16 // format version; AppendHeader writes FormatVersion when zero
	FirstOffset uint64 // offset of the segment's first record
	CreatedMs   int64  // creation time, ms since the Unix epoch
}

// AppendHeader appends the HeaderSize bytes of h to dst.
func AppendHeader(dst []byte, h Header) []byte {
	if h.Version == 0 {
		h.Version = FormatVersion
	}
	start := len(dst)
	dst = append(dst, magic[:]...)                                     // magic
	dst = binary.LittleEndian.AppendUint16(dst, h.Version)             // version
	dst = binary.LittleEndian.AppendUint64(dst, h.FirstOffset)         // first offset
	dst = binary.LittleEndian.AppendUint64(dst, uint64(h.CreatedMs))   // created ms
	dst = binary.LittleEndian.AppendUint32(dst, checksum(dst[start:])) // CRC
	return dst
}

// DecodeHeader decodes the file header at the start of b. It checks, in order, that b holds
// HeaderSize bytes that are not all zero (ErrShortHeader), the magic (ErrBadMagic), the version (ErrBadVersion) and
// the checksum (a *CorruptionError wrapping ErrBadHeaderChecksum).
func DecodeHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("%w: %d bytes, want %d", ErrShortHeader, len(b), HeaderSize)
	}
	if indexNonZero(b[:HeaderSize]) < 0 {
		return Header{}, fmt.Errorf("%w: %d zero bytes (preallocated, never written)", ErrShortHeader, HeaderSize)
	}
	if [6]byte(b[headerMagicAt:]) != magic {
		return Header{}, fmt.Errorf("%w: %q, want %q", ErrBadMagic, b[headerMagicAt:headerVersionAt], magic[:])
	}
	h := Header{
		Version:     binary.LittleEndian.Uint16(b[headerVersionAt:]),
		FirstOffset: binary.LittleEndian.Uint64(b[headerFirstOffsetAt:]),
		CreatedMs:   int64(binary.LittleEndian.Uint64(b[headerCreatedAt:])),
	}
	if h.Version < minReadableVersion || h.Version > FormatVersion {
		return Header{}, fmt.Errorf("%w: %d, this code reads %d to %d",
			ErrBadVersion, h.Version, minReadableVersion, FormatVersion)
	}
	if want, got := binary.LittleEndian.Uint32(b[headerCRCAt:]), checksum(b[:headerCRCAt]); want != got {
		e := corruptf(0, "header crc %#08x, computed %#08x", want, got)
		e.Err = ErrBadHeaderChecksum
		return Header{}, e
	}
	return h, nil
}

// AppendBatch frames recs as one batch and appends it to dst: their TimeMs as given, offsets
// firstOffset, firstOffset+1, and so on. With CodecS2 or CodecZstd the records section is
// compressed, unless compression saves less than 10 % of its size: then the batch is stored
// with CodecNone. Record times must not decrease (ErrTimeOrder).
func AppendBatch(dst []byte, codec Codec, firstOffset uint64, recs []Record) ([]byte, error) {
	if codec == CodecNone {
		var e encoder
		return e.appendBatch(dst, codec, firstOffset, recs, recordTimes{})
	}
	e := encoderPool.Get().(*encoder)
	defer encoderPool.Put(e)
	dst, err := e.appendBatch(dst, codec, firstOffset, recs, recordTimes{})
	if cap(e.scratch) > keepBufferBytes {
		e.scratch = nil
	}
	return dst, err
}

// encoderPool keeps the scratch buffers of AppendBatch calls that compress.
var encoderPool = sync.Pool{New: func() any { return new(encoder) }}

// encoder frames batches, keeping the scratch buffer for the uncompressed records section of
// compressed batches between calls.
type encoder struct {
	scratch []byte
}

// recordTimes says where a batch's record times come from: each record's TimeMs, or, when
// stamped, one time for all of them (Writer.AppendAt), so that the caller need not copy its
// records to set their TimeMs.
type recordTimes struct {
	stamped bool
	ms      int64
}

// of returns the time of r.
func (t recordTimes) of(r *Record) int64 {
	if t.stamped {
		return t.ms
	}
	return r.TimeMs
}

func (e *encoder) appendBatch(dst []byte, codec Codec, firstOffset uint64, recs []Record, times recordTimes) ([]byte, error) {
	rawSize, err := checkRecords(codec, firstOffset, recs, times)
	if err != nil {
		return dst, err
	}
	start := len(dst)
	body := start + batchHeaderSize
	dst = slices.Grow(dst, batchHeaderSize+rawSize)
	if codec == CodecNone {
		dst = dst[:body+rawSize]
		putRecords(dst[body:], recs, times)
	} else {
		e.scratch = slices.Grow(e.scratch[:0], rawSize)[:rawSize]
		putRecords(e.scratch, recs, times)
		dst = compress(dst[:body], codec, e.scratch)
		if !pays(len(dst)-body, rawSize) {
			codec = CodecNone
			dst = append(dst[:body], e.scratch...)
		}
	}
	putBatchHeader(dst[start:], codec, firstOffset, len(recs), times.of(&recs[0]), times.of(&recs[len(recs)-1]), rawSize)
	return dst, nil
}

// minSavingPercent is the least a compressed records section must save, in percent of its
// raw size, for the batch to be stored compressed. Below it, every read would pay for a
// decompression (and a copy out of the mapping) to save a few bytes of disk, so the batch is
// stored raw: incompressible data costs the attempt and nothing more.
const minSavingPercent = 10

// pays reports whether a records section of rawSize bytes that compresses to compressed
// bytes saves at least minSavingPercent. A section that pays is always smaller than its raw
// size, as the format requires of compressed batches.
func pays(compressed, rawSize int) bool {
	return int64(compressed)*100 <= int64(rawSize)*(100-minSavingPercent)
}

// checkRecords validates a batch before any byte is written and returns the size of its
// uncompressed records section.
func checkRecords(codec Codec, firstOffset uint64, recs []Record, times recordTimes) (int, error) {
	if err := checkFrame(codec, firstOffset, len(recs)); err != nil {
		return 0, err
	}
	first := times.of(&recs[0])
	prev := first
	size := 0
	for i := range recs {
		r := &recs[i]
		ms := times.of(r)
		if ms < prev {
			return 0, fmt.Errorf("%w: record %d at %d ms follows %d ms", ErrTimeOrder, i, ms, prev)
		}
		prev = ms
		size += recordSize(uint64(ms)-uint64(first), len(r.PartitionKey), len(r.Data))
		if size > maxRawSize {
			return 0, fmt.Errorf("%w: more than %d bytes by record %d", ErrBatchTooLarge, maxRawSize, i)
		}
	}
	return size, nil
}

// checkFrame checks what a batch of count records at firstOffset needs besides its records:
// a known codec, a record at least, and offsets that do not overflow.
func checkFrame(codec Codec, firstOffset uint64, count int) error {
	switch {
	case !codec.valid():
		return fmt.Errorf("%w: %d", ErrUnknownCodec, uint8(codec))
	case count == 0:
		return ErrEmptyBatch
	case uint64(count) > math.MaxUint64-firstOffset:
		return fmt.Errorf("%w: %d records from offset %d", ErrOffsetOverflow, count, firstOffset)
	}
	return nil
}

// recordSize returns the bytes a record takes in a records section: its time delta, key
// length, key, data length and data.
func recordSize(delta uint64, keyLen, dataLen int) int {
	return uvarintLen(delta) + uvarintLen(uint64(keyLen)) + keyLen + uvarintLen(uint64(dataLen)) + dataLen
}

// putRecords writes the records section of recs into b, which is exactly its size.
func putRecords(b []byte, recs []Record, times recordTimes) {
	first := uint64(times.of(&recs[0]))
	n := 0
	for i := range recs {
		r := &recs[i]
		n += binary.PutUvarint(b[n:], uint64(times.of(r))-first)   // time delta
		n += binary.PutUvarint(b[n:], uint64(len(r.PartitionKey))) // key length
		n += copy(b[n:], r.PartitionKey)                           // key
		n += binary.PutUvarint(b[n:], uint64(len(r.Data)))         // data length
		n += copy(b[n:], r.Data)                                   // data
	}
}

// putBatchHeader fills in the header of the batch that makes up all of b, CRC last.
func putBatchHeader(b []byte, codec Codec, firstOffset uint64, count int, firstMs, lastMs int64, rawSize int) {
	le := binary.LittleEndian
	le.PutUint32(b[batchLengthAt:], uint32(len(b)-batchCRCAt)) // length
	b[batchCodecAt] = byte(codec)                              // codec
	le.PutUint64(b[batchFirstOffsetAt:], firstOffset)          // first offset
	le.PutUint32(b[batchCountAt:], uint32(count))              // count
	le.PutUint64(b[batchFirstTimeAt:], uint64(firstMs))        // first ms
	le.PutUint64(b[batchLastTimeAt:], uint64(lastMs))          // last ms
	le.PutUint32(b[batchRawSizeAt:], uint32(rawSize))          // raw size
	le.PutUint32(b[batchCRCAt:], checksum(b[batchCodecAt:]))   // CRC
}

// DecodeBatch decodes the batch at the start of b (b may extend past it; info.Position is 0 and
// info.Size tells where it ends). It verifies length bounds and the CRC before decoding.
// Records of an uncompressed batch alias b (no copy); a compressed batch is decoded into fresh
// memory. dst is reused. Damage is reported as a *CorruptionError at position 0.
func DecodeBatch(dst []Record, b []byte) (BatchInfo, []Record, error) {
	info, recs, _, err := decodeBatch(dst, nil, b)
	return info, recs, err
}

// decodeBatch is DecodeBatch, decompressing into buf when it has room (see decompress); it
// returns the buffer a compressed batch was decoded into, or buf if the batch was not
// compressed.
func decodeBatch(dst []Record, buf []byte, b []byte) (BatchInfo, []Record, []byte, error) {
	f, err := decodeFrame(b)
	if err != nil {
		return BatchInfo{}, dst[:0], buf, err
	}
	raw := b[batchHeaderSize:f.size]
	if f.codec != CodecNone {
		if raw, err = decompress(buf, f.codec, raw, f.rawSize); err != nil {
			return BatchInfo{}, dst[:0], buf, corruptf(0, "records section: %v", err)
		}
		buf = raw
	}
	recs, err := decodeRecords(dst[:0], raw, &f)
	if err != nil {
		return BatchInfo{}, recs[:0], buf, err
	}
	return f.info(0), recs, buf, nil
}

// frame is a batch header that passed decodeFrame's checks.
type frame struct {
	size        int // bytes of the whole batch
	codec       Codec
	firstOffset uint64
	count       int
	firstTimeMs int64
	lastTimeMs  int64
	rawSize     int
}

func (f *frame) info(pos int64) BatchInfo {
	return BatchInfo{
		Position:    pos,
		Size:        int64(f.size),
		Codec:       f.codec,
		FirstOffset: f.firstOffset,
		Count:       f.count,
		FirstTimeMs: f.firstTimeMs,
		LastTimeMs:  f.lastTimeMs,
	}
}

// decodeFrame checks the batch at the start of b: its length against the minimum,
// MaxBatchBytes and len(b); its CRC; then that the header fields agree with each other. It
// does not look inside the records section.
func decodeFrame(b []byte) (frame, error) {
	if len(b) < batchCRCAt {
		return frame{}, corruptf(0, "length word cut short: %d bytes", len(b))
	}
	le := binary.LittleEndian
	size := int64(le.Uint32(b[batchLengthAt:])) + batchCRCAt
	switch {
	case size < batchHeaderSize:
		return frame{}, corruptf(0, "batch size %d below the %d-byte header", size, batchHeaderSize)
	case size > MaxBatchBytes:
		return frame{}, corruptf(0, "batch size %d above MaxBatchBytes %d", size, MaxBatchBytes)
	case size > int64(len(b)):
		return frame{}, corruptf(0, "batch size %d but only %d bytes present", size, len(b))
	}
	if want, got := le.Uint32(b[batchCRCAt:]), checksum(b[batchCodecAt:size]); want != got {
		return frame{}, corruptf(0, "batch crc %#08x, computed %#08x over %d bytes", want, got, size-batchCodecAt)
	}
	f := frame{
		size:        int(size),
		codec:       Codec(b[batchCodecAt]),
		firstOffset: le.Uint64(b[batchFirstOffsetAt:]),
		count:       int(le.Uint32(b[batchCountAt:])),
		firstTimeMs: int64(le.Uint64(b[batchFirstTimeAt:])),
		lastTimeMs:  int64(le.Uint64(b[batchLastTimeAt:])),
		rawSize:     int(le.Uint32(b[batchRawSizeAt:])),
	}
	return f, f.check()
}

// check verifies that the fields of a CRC-valid header agree with each other.
func (f *frame) check() error {
	payload := f.size - batchHeaderSize
	switch {
	case !f.codec.valid():
		return corruptf(0, "unknown codec %d", uint8(f.codec))
	case f.count == 0:
		return corruptf(0, "record count 0")
	case uint64(f.count) > math.MaxUint64-f.firstOffset:
		return corruptf(0, "%d records from offset %d pass the largest offset", f.count, f.firstOffset)
	case f.lastTimeMs < f.firstTimeMs:
		return corruptf(0, "last time %d ms before first time %d ms", f.lastTimeMs, f.firstTimeMs)
	case f.rawSize > maxRawSize:
		return corruptf(0, "raw size %d above the limit %d", f.rawSize, maxRawSize)
	case f.count > f.rawSize/minRecordSize:
		return corruptf(0, "%d records cannot fit in a %d-byte records section", f.count, f.rawSize)
	case f.codec == CodecNone && f.rawSize != payload:
		return corruptf(0, "raw size %d, but %d bytes stored uncompressed", f.rawSize, payload)
	case f.codec != CodecNone && payload >= f.rawSize:
		return corruptf(0, "%s payload of %d bytes not smaller than raw size %d", f.codec, payload, f.rawSize)
	}
	return nil
}

// decodeRecords appends the f.count records of the records section raw to dst. Keys and data
// alias raw, capped so that an append by the caller cannot write into raw.
func decodeRecords(dst []Record, raw []byte, f *frame) ([]Record, error) {
	dst = slices.Grow(dst, f.count)
	span := uint64(f.lastTimeMs) - uint64(f.firstTimeMs)
	var prev uint64
	i := 0
	for n := range f.count {
		var delta, klen, dlen uint64
		var bad string
		if delta, i, bad = uvarint(raw, i); bad != "" {
			return dst, corruptf(0, "record %d time delta: %s", n, bad)
		}
		if delta < prev || delta > span || (n == 0 && delta != 0) {
			return dst, corruptf(0, "record %d time delta %d outside [%d, %d]", n, delta, prev, span)
		}
		prev = delta
		if klen, i, bad = uvarint(raw, i); bad != "" || klen > uint64(len(raw)-i) {
			return dst, corruptf(0, "record %d key length %d with %d bytes left %s", n, klen, len(raw)-i, bad)
		}
		key := raw[i : i+int(klen) : i+int(klen)]
		i += int(klen)
		if dlen, i, bad = uvarint(raw, i); bad != "" || dlen > uint64(len(raw)-i) {
			return dst, corruptf(0, "record %d data length %d with %d bytes left %s", n, dlen, len(raw)-i, bad)
		}
		data := raw[i : i+int(dlen) : i+int(dlen)]
		i += int(dlen)
		dst = append(dst, Record{
			Offset:       f.firstOffset + uint64(n),
			TimeMs:       int64(uint64(f.firstTimeMs) + delta),
			PartitionKey: key,
			Data:         data,
		})
	}
	if prev != span {
		return dst, corruptf(0, "last record time delta %d, header span %d", prev, span)
	}
	if i != len(raw) {
		return dst, corruptf(0, "%d trailing bytes after %d records", len(raw)-i, f.count)
	}
	return dst, nil
}

// uvarint decodes the minimal uvarint at b[i:]. It returns the value, the index after it, and
// an empty string, or a reason when the uvarint is cut short, too long or not minimal.
func uvarint(b []byte, i int) (v uint64, next int, bad string) {
	if i < len(b) && b[i] < 0x80 {
		return uint64(b[i]), i + 1, ""
	}
	var shift uint
	for j := i; j < len(b) && j < i+binary.MaxVarintLen64; j++ {
		c := b[j]
		if c < 0x80 {
			if j == i+binary.MaxVarintLen64-1 && c > 1 {
				return 0, i, "(uvarint overflows 64 bits)"
			}
			if c == 0 {
				return 0, i, "(uvarint not minimal)"
			}
			return v | uint64(c)<<shift, j + 1, ""
		}
		v |= uint64(c&0x7f) << shift
		shift += 7
	}
	if len(b)-i >= binary.MaxVarintLen64 {
		return 0, i, "(uvarint overflows 64 bits)"
	}
	return 0, i, "(uvarint cut short)"
}

// uvarintLen returns the number of bytes binary.PutUvarint writes for v.
func uvarintLen(v uint64) int {
	return (bits.Len64(v|1) + 6) / 7
}
