package segment_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
)

func TestAppendBatch_RoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		size  int
		first uint64
	}{
		{"one empty record", 1, 0, 0},
		{"one 100B record", 1, 100, 7},
		{"500 100B records", 500, 100, 1 << 40},
		{"100 1KiB records", 100, 1024, 0},
		{"last offsets", 3, 10, 1<<64 - 4},
	}
	for _, tt := range tests {
		for _, c := range codecs {
			t.Run(fmt.Sprintf("%s/codec=%s", tt.name, c), func(t *testing.T) {
				recs := makeRecords(tt.n, tt.size, 1_700_000_000_000)
				b, err := segment.AppendBatch([]byte("prefix"), c, tt.first, recs)
				require.NoError(t, err)
				require.Equal(t, "prefix", string(b[:6]))
				info, got, err := segment.DecodeBatch(nil, append(b[6:], "trailing"...))
				require.NoError(t, err)
				require.Equal(t, int64(len(b)-6), info.Size, "DecodeBatch size")
				require.Equal(t, tt.first, info.FirstOffset)
				require.Equal(t, tt.n, info.Count)
				require.Equal(t, recs[0].TimeMs, info.FirstTimeMs)
				require.Equal(t, recs[len(recs)-1].TimeMs, info.LastTimeMs)
				requireSameRecords(t, recs, got, tt.first)
			})
		}
	}
}

func TestAppendBatch_Errors(t *testing.T) {
	big := make([]byte, segment.MaxBatchBytes)
	tests := []struct {
		name  string
		codec segment.Codec
		first uint64
		recs  []segment.Record
		want  error
	}{
		{"no records", segment.CodecNone, 0, nil, segment.ErrEmptyBatch},
		{"unknown codec", segment.Codec(3), 0, makeRecords(1, 1, 0), segment.ErrUnknownCodec},
		{"time goes back", segment.CodecNone, 0, []segment.Record{{TimeMs: 5}, {TimeMs: 4}}, segment.ErrTimeOrder},
		{"offsets overflow", segment.CodecNone, 1<<64 - 2, makeRecords(3, 1, 0), segment.ErrOffsetOverflow},
		{"too large", segment.CodecS2, 0, []segment.Record{{Data: big}}, segment.ErrBatchTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte("keep")
			b, err := segment.AppendBatch(dst, tt.codec, tt.first, tt.recs)
			require.ErrorIs(t, err, tt.want)
			require.Equal(t, "keep", string(b), "AppendBatch changed dst on error")
		})
	}
}

func TestAppendBatch_LastOffsetFits(t *testing.T) {
	b, err := segment.AppendBatch(nil, segment.CodecNone, 1<<64-4, makeRecords(3, 1, 0))
	require.NoError(t, err)
	info, _, err := segment.DecodeBatch(nil, b)
	require.NoError(t, err)
	require.Equal(t, uint64(1<<64-1), info.NextOffset())
}

func TestAppendBatch_CodecFallback(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 4096)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	compressible := makeRecords(50, 100, 0)
	incompressible := []segment.Record{{PartitionKey: []byte("k"), Data: noise}}
	for _, c := range codecs[1:] {
		t.Run("codec="+c.String(), func(t *testing.T) {
			b, err := segment.AppendBatch(nil, c, 0, compressible)
			require.NoError(t, err)
			info, _, err := segment.DecodeBatch(nil, b)
			require.NoError(t, err)
			require.Equal(t, c, info.Codec, "compressible batch codec")

			b, err = segment.AppendBatch(nil, c, 0, incompressible)
			require.NoError(t, err)
			info, got, err := segment.DecodeBatch(nil, b)
			require.NoError(t, err)
			require.Equal(t, segment.CodecNone, info.Codec, "incompressible batch codec")
			requireSameRecords(t, incompressible, got, 0)
		})
	}
}

func TestDecodeBatch_Aliasing(t *testing.T) {
	recs := makeRecords(3, 20, 0)
	b, err := segment.AppendBatch(nil, segment.CodecNone, 0, recs)
	require.NoError(t, err)
	_, got, err := segment.DecodeBatch(make([]segment.Record, 0, 1), b)
	require.NoError(t, err)
	for i, r := range got {
		require.Equal(t, len(r.Data), cap(r.Data), "record %d data capacity reaches past the record", i)
		require.Equal(t, len(r.PartitionKey), cap(r.PartitionKey), "record %d key capacity reaches past the record", i)
	}
	got[0].Data[0] ^= 0xff
	require.Contains(t, string(b), string(got[0].Data), "uncompressed records should alias the input")
}

func TestDecodeBatch_TruncatedOrFlipped(t *testing.T) {
	for _, c := range codecs {
		t.Run("codec="+c.String(), func(t *testing.T) {
			b, err := segment.AppendBatch(nil, c, 10, makeRecords(5, 30, 1000))
			require.NoError(t, err)
			for n := range len(b) {
				_, _, err := segment.DecodeBatch(nil, b[:n])
				require.ErrorIs(t, err, segment.ErrCorrupt, "DecodeBatch(first %d of %d bytes)", n, len(b))
			}
			for bit := range len(b) * 8 {
				flipped := bytes.Clone(b)
				flipped[bit/8] ^= 1 << (bit % 8)
				_, _, err := segment.DecodeBatch(nil, flipped)
				require.ErrorIs(t, err, segment.ErrCorrupt, "DecodeBatch with bit %d flipped", bit)
			}
		})
	}
}

func TestHeader_RoundTrip(t *testing.T) {
	h := segment.Header{Version: segment.FormatVersion, FirstOffset: 1 << 50, CreatedMs: -5}
	b := segment.AppendHeader([]byte("x"), h)
	require.Len(t, b, 1+segment.HeaderSize)
	got, err := segment.DecodeHeader(b[1:])
	require.NoError(t, err)
	require.Equal(t, h, got)

	got, err = segment.DecodeHeader(segment.AppendHeader(nil, segment.Header{FirstOffset: 3}))
	require.NoError(t, err)
	require.Equal(t, segment.FormatVersion, got.Version, "zero Version writes FormatVersion")
}

func TestDecodeHeader_Errors(t *testing.T) {
	good := segment.AppendHeader(nil, segment.Header{FirstOffset: 9, CreatedMs: 1})
	flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 0x10; return b }
	future := segment.AppendHeader(nil, segment.Header{Version: segment.FormatVersion + 1})
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, segment.ErrShortHeader},
		{"short", good[:segment.HeaderSize-1], segment.ErrShortHeader},
		{"magic", flip(good, 0), segment.ErrBadMagic},
		{"magic before version", flip(flip(good, 5), 6), segment.ErrBadMagic},
		{"version 0", flip(flip(good, 6), 20), segment.ErrBadVersion},
		{"future version", future, segment.ErrBadVersion},
		{"version before checksum", flip(future, 20), segment.ErrBadVersion},
		{"first offset", flip(good, 8), segment.ErrBadHeaderChecksum},
		{"created", flip(good, 16), segment.ErrBadHeaderChecksum},
		{"checksum", flip(good, segment.HeaderSize-1), segment.ErrBadHeaderChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := segment.DecodeHeader(tt.b)
			require.ErrorIs(t, err, tt.want)
		})
	}
	_, err := segment.DecodeHeader(flip(good, 8))
	require.ErrorIs(t, err, segment.ErrCorrupt, "a checksum mismatch is corruption")
}

func TestCodec_String(t *testing.T) {
	tests := []struct {
		c    segment.Codec
		want string
	}{
		{segment.CodecNone, "none"},
		{segment.CodecS2, "s2"},
		{segment.CodecZstd, "zstd"},
		{segment.Codec(9), "codec(9)"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.c.String())
		c, err := segment.ParseCodec(tt.want)
		if tt.c > segment.CodecZstd {
			require.ErrorIs(t, err, segment.ErrUnknownCodec)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tt.c, c)
	}
}

func TestCorruptionError_Message(t *testing.T) {
	err := error(&segment.CorruptionError{Path: "/d/1.seg", Offset: 4096, Reason: "batch crc 0x1, computed 0x2"})
	require.ErrorIs(t, err, segment.ErrCorrupt)
	require.Equal(t, "segment /d/1.seg: corrupt at position 4096: batch crc 0x1, computed 0x2", err.Error())
	wrapped := fmt.Errorf("shard 3: %w", err)
	var ce *segment.CorruptionError
	require.ErrorAs(t, wrapped, &ce)
	require.Equal(t, int64(4096), ce.Offset)
}
