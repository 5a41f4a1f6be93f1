package segment

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// A Section is the records section of a batch whose records all arrive at one time, built
// by the caller before it appends the batch (Writer.AppendSectionAt). Add places a record's
// partition key and hands back the place of its data, so that a caller holding the data in
// another form (base64 text, say) decodes it straight into the batch: the bytes are written
// once, where the batch is written from. A Section keeps room for the batch header at its
// front, so that an uncompressed batch is written from the Section itself, and grows as
// records are added.
//
// The zero Section is empty and ready to use; Reset empties it and keeps its memory.
type Section struct {
	buf   []byte // batchHeaderSize bytes for the header, then the records section
	count int
}

// Reset empties s, keeping its memory.
func (s *Section) Reset() {
	s.buf, s.count = s.buf[:0], 0
}

// Add appends a record with partition key key and dataLen bytes of data, and returns the
// place of its data for the caller to fill before anything else is done with s. Until
// then those bytes hold whatever the memory held; a caller that cannot fill them (data
// that does not decode) must not append the Section.
func (s *Section) Add(key []byte, dataLen int) []byte {
	n := len(s.buf)
	if n == 0 {
		n = batchHeaderSize
	}
	end := n + recordSize(0, len(key), dataLen)
	if end > cap(s.buf) {
		s.buf = slices.Grow(s.buf, end-len(s.buf)) // the places filled so far move with it
	}
	b := s.buf[:end]
	b[n] = 0 // time delta: every record arrives at the batch's time
	n++
	n += binary.PutUvarint(b[n:], uint64(len(key)))
	n += copy(b[n:], key)
	n += binary.PutUvarint(b[n:], uint64(dataLen))
	s.buf = b
	s.count++
	return b[n:end:end]
}

// Cap returns the bytes s holds without growing, header room included.
func (s *Section) Cap() int { return cap(s.buf) }

// Len returns the number of records in s.
func (s *Section) Len() int { return s.count }

// Size returns the bytes of s's records, as the uncompressed records section of a batch.
func (s *Section) Size() int { return max(len(s.buf)-batchHeaderSize, 0) }

// records returns the records section.
func (s *Section) records() []byte {
	if len(s.buf) == 0 {
		return nil
	}
	return s.buf[batchHeaderSize:]
}

// check validates the batch of s before any byte is written, as checkRecords does.
func (s *Section) check(codec Codec, firstOffset uint64) error {
	if err := checkFrame(codec, firstOffset, s.count); err != nil {
		return err
	}
	if s.Size() > maxRawSize {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrBatchTooLarge, s.Size(), maxRawSize)
	}
	return nil
}

// frame frames s as one batch at firstOffset, every record at timeMs, and returns it: s's own
// memory when the batch is stored uncompressed, or the compressed batch in dst's memory (see
// AppendBatch for when compression is kept). It also returns dst as it grew, for reuse.
func (s *Section) frame(dst []byte, codec Codec, firstOffset uint64, timeMs int64) (batch, grown []byte) {
	raw := s.records()
	batch = s.buf
	if codec != CodecNone {
		dst = compress(slices.Grow(dst[:0], batchHeaderSize)[:batchHeaderSize], codec, raw)
		if pays(len(dst)-batchHeaderSize, len(raw)) {
			batch = dst
		} else {
			codec = CodecNone
		}
	}
	putBatchHeader(batch, codec, firstOffset, s.count, timeMs, timeMs, len(raw))
	return batch, dst
}
