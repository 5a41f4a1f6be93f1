package segment

import (
	"fmt"
	"slices"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// Codec is the compression of one batch's records section. The writer chooses it per batch;
// readers learn it from the batch header.
type Codec uint8

// The codecs. Their numbers are stored on disk and never change.
const (
	CodecNone Codec = 0 // records stored as they are
	CodecS2   Codec = 1 // klauspost/compress/s2 block format
	CodecZstd Codec = 2 // klauspost/compress/zstd frame, fastest level, no frame checksum
)

// String returns the codec's name as used in flags and listings: none, s2, zstd.
func (c Codec) String() string {
	switch c {
	case CodecNone:
		return "none"
	case CodecS2:
		return "s2"
	case CodecZstd:
		return "zstd"
	}
	return fmt.Sprintf("codec(%d)", uint8(c))
}

// ParseCodec returns the Codec named by s (none, s2 or zstd).
func ParseCodec(s string) (Codec, error) {
	for _, c := range []Codec{CodecNone, CodecS2, CodecZstd} {
		if c.String() == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want none, s2 or zstd)", ErrUnknownCodec, s)
}

func (c Codec) valid() bool { return c <= CodecZstd }

// The zstd encoder and decoder are costly to build, so one of each is shared by the package.
// EncodeAll and DecodeAll are safe for concurrent use. The decoder never produces more than
// the destination's capacity, which the caller sets to the batch's declared raw size, so a
// hostile frame cannot make it allocate more than MaxBatchBytes.
var (
	zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
		e, err := zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithEncoderCRC(false), // the batch CRC covers the frame
		)
		if err != nil {
			panic("segment: zstd encoder: " + err.Error())
		}
		return e
	})
	zstdDecoder = sync.OnceValue(func() *zstd.Decoder {
		d, err := zstd.NewReader(nil,
			zstd.WithDecoderMaxMemory(MaxBatchBytes),
			zstd.WithDecodeAllCapLimit(true),
			zstd.WithDecoderConcurrency(0),
		)
		if err != nil {
			panic("segment: zstd decoder: " + err.Error())
		}
		return d
	})
)

// compress appends the compressed form of raw to dst.
func compress(dst []byte, c Codec, raw []byte) []byte {
	switch c {
	case CodecS2:
		n := len(dst)
		dst = slices.Grow(dst, s2.MaxEncodedLen(len(raw)))
		out := s2.Encode(dst[n:], raw)
		return dst[:n+len(out)]
	case CodecZstd:
		return zstdEncoder().EncodeAll(raw, dst)
	}
	panic("segment: compress with codec " + c.String())
}

// decompress decodes payload, which must expand to exactly rawSize bytes, into buf if it has
// the capacity, otherwise into fresh memory. The result starts at buf's first byte (keeping
// buf's capacity, so that the caller can reuse it for a larger batch) or is fresh memory.
// Nothing is written past the capacity of the memory decoded into.
func decompress(buf []byte, c Codec, payload []byte, rawSize int) ([]byte, error) {
	if cap(buf) < rawSize {
		buf = make([]byte, rawSize)
	}
	buf = buf[:rawSize]
	switch c {
	case CodecS2:
		n, err := s2.DecodedLen(payload)
		if err != nil {
			return nil, fmt.Errorf("s2 header: %v", err)
		}
		if n != rawSize {
			return nil, fmt.Errorf("s2 decoded length %d, raw size %d", n, rawSize)
		}
		raw, err := s2.Decode(buf, payload)
		if err != nil {
			return nil, fmt.Errorf("s2: %v", err)
		}
		return raw, nil
	case CodecZstd:
		raw, err := zstdDecoder().DecodeAll(payload, buf[:0])
		if err != nil {
			return nil, fmt.Errorf("zstd: %v", err)
		}
		if len(raw) != rawSize {
			return nil, fmt.Errorf("zstd decoded length %d, raw size %d", len(raw), rawSize)
		}
		return raw, nil
	}
	return nil, fmt.Errorf("codec %d", uint8(c))
}
