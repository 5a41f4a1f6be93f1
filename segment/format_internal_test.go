package segment

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// rawFrame frames a records section by hand, with any header values, and a correct CRC.
func rawFrame(codec Codec, first uint64, count uint32, t0, t1 int64, rawSize uint32, payload []byte) []byte {
	b := make([]byte, batchHeaderSize, batchHeaderSize+len(payload))
	le := binary.LittleEndian
	le.PutUint32(b[batchLengthAt:], uint32(batchHeaderSize+len(payload)-batchCRCAt))
	b[batchCodecAt] = byte(codec)
	le.PutUint64(b[batchFirstOffsetAt:], first)
	le.PutUint32(b[batchCountAt:], count)
	le.PutUint64(b[batchFirstTimeAt:], uint64(t0))
	le.PutUint64(b[batchLastTimeAt:], uint64(t1))
	le.PutUint32(b[batchRawSizeAt:], rawSize)
	b = append(b, payload...)
	reseal(b)
	return b
}

// reseal recomputes the CRC of the batch b after a test changed it.
func reseal(b []byte) {
	binary.LittleEndian.PutUint32(b[batchCRCAt:], checksum(b[batchCodecAt:]))
}

// noneFrame frames an uncompressed records section with a matching raw size.
func noneFrame(count uint32, t0, t1 int64, raw ...byte) []byte {
	return rawFrame(CodecNone, 0, count, t0, t1, uint32(len(raw)), raw)
}

func TestDecodeBatch_Strict(t *testing.T) {
	good := func(t *testing.T, c Codec) []byte {
		b, err := AppendBatch(nil, c, 5, []Record{
			{TimeMs: 100, PartitionKey: []byte("a"), Data: []byte(strings.Repeat("xy", 40))},
			{TimeMs: 100, PartitionKey: []byte("b"), Data: []byte(strings.Repeat("xy", 40))},
			{TimeMs: 130, PartitionKey: []byte("c"), Data: []byte(strings.Repeat("xy", 40))},
		})
		require.NoError(t, err)
		require.Equal(t, c, Codec(b[batchCodecAt]))
		return b
	}
	patch := func(c Codec, edit func(b []byte)) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			b := good(t, c)
			edit(b)
			reseal(b)
			return b
		}
	}
	fixed := func(b []byte) func(*testing.T) []byte { return func(*testing.T) []byte { return b } }
	le := binary.LittleEndian
	tests := []struct {
		name  string
		batch func(t *testing.T) []byte
		want  string // part of the reason
	}{
		{"length below header", patch(CodecNone, func(b []byte) { le.PutUint32(b, batchHeaderSize-batchCRCAt-1) }), "below the"},
		{"length above max", patch(CodecNone, func(b []byte) { le.PutUint32(b, MaxBatchBytes) }), "above MaxBatchBytes"},
		{"length past input", patch(CodecNone, func(b []byte) { le.PutUint32(b, le.Uint32(b)+1) }), "bytes present"},
		{"crc", func(t *testing.T) []byte { b := good(t, CodecNone); b[batchCRCAt] ^= 1; return b }, "batch crc"},
		{"unknown codec", patch(CodecNone, func(b []byte) { b[batchCodecAt] = 3 }), "unknown codec"},
		{"count zero", patch(CodecNone, func(b []byte) { le.PutUint32(b[batchCountAt:], 0) }), "record count 0"},
		{"count too high", patch(CodecNone, func(b []byte) { le.PutUint32(b[batchCountAt:], 4) }), "record 3 time delta"},
		{"count too low", patch(CodecNone, func(b []byte) { le.PutUint32(b[batchCountAt:], 2) }), "last record time delta 0, header span 30"},
		{"count beyond raw size", patch(CodecNone, func(b []byte) { le.PutUint32(b[batchCountAt:], 1000) }), "cannot fit"},
		{"offsets overflow", patch(CodecNone, func(b []byte) { le.PutUint64(b[batchFirstOffsetAt:], math.MaxUint64-2) }), "largest offset"},
		{"last before first", patch(CodecNone, func(b []byte) { le.PutUint64(b[batchLastTimeAt:], 99) }), "before first time"},
		{"last time disagrees", patch(CodecNone, func(b []byte) { le.PutUint64(b[batchLastTimeAt:], 131) }), "last record time delta 30, header span 31"},
		{"first time disagrees", patch(CodecNone, func(b []byte) { le.PutUint64(b[batchFirstTimeAt:], 99) }), "header span 31"},
		{"raw size disagrees", patch(CodecNone, func(b []byte) { le.PutUint32(b[batchRawSizeAt:], le.Uint32(b[batchRawSizeAt:])-1) }), "stored uncompressed"},
		{"raw size too large", patch(CodecS2, func(b []byte) { le.PutUint32(b[batchRawSizeAt:], maxRawSize+1) }), "above the limit"},
		{"compressed not smaller", patch(CodecNone, func(b []byte) { b[batchCodecAt] = byte(CodecS2) }), "not smaller"},
		{"s2 raw size disagrees", patch(CodecS2, func(b []byte) { le.PutUint32(b[batchRawSizeAt:], le.Uint32(b[batchRawSizeAt:])+1) }), "s2 decoded length"},
		{"s2 payload damaged", patch(CodecS2, func(b []byte) { b[len(b)-1] ^= 0xff }), "s2"},
		{"zstd raw size larger", patch(CodecZstd, func(b []byte) { le.PutUint32(b[batchRawSizeAt:], le.Uint32(b[batchRawSizeAt:])+1) }), "zstd decoded length"},
		{"zstd raw size smaller", patch(CodecZstd, func(b []byte) { le.PutUint32(b[batchRawSizeAt:], le.Uint32(b[batchRawSizeAt:])-1) }), "zstd"},
		{"zstd payload damaged", patch(CodecZstd, func(b []byte) { b[len(b)-2] ^= 0xff }), "zstd"},
		{"non-minimal delta", fixed(noneFrame(1, 0, 0, 0x80, 0x00, 0, 0)), "not minimal"},
		{"non-minimal key length", fixed(noneFrame(1, 0, 0, 0, 0x81, 0x00, 'k', 0)), "not minimal"},
		{"uvarint overflow", fixed(noneFrame(1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0)), "overflows"},
		{"uvarint cut short", fixed(noneFrame(1, 0, 0, 0, 0, 0x80)), "cut short"},
		{"key past section", fixed(noneFrame(1, 0, 0, 0, 5, 'k', 0)), "key length 5"},
		{"data past section", fixed(noneFrame(1, 0, 0, 0, 0, 2, 'd')), "data length 2"},
		{"first delta not zero", fixed(noneFrame(1, 0, 1, 1, 0, 0)), "record 0 time delta 1"},
		{"delta decreases", fixed(noneFrame(3, 0, 2, 0, 0, 0, 2, 0, 0, 1, 0, 0)), "record 2 time delta 1 outside [2, 2]"},
		{"delta past span", fixed(noneFrame(2, 0, 1, 0, 0, 0, 2, 0, 0)), "record 1 time delta 2 outside [0, 1]"},
		{"trailing bytes", fixed(noneFrame(1, 0, 0, 0, 0, 0, 0, 0, 0)), "3 trailing bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.batch(t)
			_, recs, err := DecodeBatch(nil, b)
			var ce *CorruptionError
			require.True(t, errors.As(err, &ce), "DecodeBatch error %v, want *CorruptionError", err)
			require.ErrorIs(t, err, ErrCorrupt)
			require.Contains(t, ce.Reason, tt.want)
			require.Empty(t, recs)
		})
	}
}

func TestDecodeBatch_MinimalFramesDecode(t *testing.T) {
	// The hand framing above is right: the same bytes with minimal uvarints decode.
	_, recs, err := DecodeBatch(nil, noneFrame(2, 7, 8, 0, 1, 'k', 0, 1, 0, 2, 'd', 'd'))
	require.NoError(t, err)
	require.Len(t, recs, 2)
	require.Equal(t, Record{Offset: 0, TimeMs: 7, PartitionKey: []byte("k"), Data: []byte{}}, recs[0])
	require.Equal(t, Record{Offset: 1, TimeMs: 8, PartitionKey: []byte{}, Data: []byte("dd")}, recs[1])
}

func TestUvarint(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 255, 16383, 16384, 1<<32 - 1, 1 << 35, 1<<63 - 1, 1 << 63, math.MaxUint64} {
		b := binary.AppendUvarint([]byte{0xaa}, v)
		got, next, bad := uvarint(b, 1)
		require.Empty(t, bad, "uvarint(%d)", v)
		require.Equal(t, v, got)
		require.Equal(t, len(b), next)
		require.Equal(t, len(b)-1, uvarintLen(v), "uvarintLen(%d)", v)
		_, _, bad = uvarint(b[:len(b)-1], 1)
		require.NotEmpty(t, bad, "uvarint(%d) cut short decoded", v)
	}
}

func TestIndexNonZero(t *testing.T) {
	for n := range 40 {
		b := make([]byte, n)
		require.Equal(t, -1, indexNonZero(b))
		require.Equal(t, -1, lastNonZero(b))
		for i := range n {
			b[i] = 1
			require.Equal(t, i, indexNonZero(b), "indexNonZero(len %d, one at %d)", n, i)
			require.Equal(t, i, lastNonZero(b), "lastNonZero(len %d, one at %d)", n, i)
			b[i] = 0
		}
	}
}

func TestPays(t *testing.T) {
	tests := []struct {
		compressed, raw int
		want            bool
	}{
		{90, 100, true},
		{91, 100, false},
		{100, 100, false},
		{4, 5, true},
		{5, 5, false},
		{3, 3, false},
		{0, 3, true},
		{maxRawSize * 9 / 10, maxRawSize, true},
		{maxRawSize*9/10 + 1, maxRawSize, false},
	}
	for _, tt := range tests {
		if got := pays(tt.compressed, tt.raw); got != tt.want {
			t.Errorf("pays(%d, %d) = %v, want %v", tt.compressed, tt.raw, got, tt.want)
		}
	}
}
