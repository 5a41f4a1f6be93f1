package segment_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
)

// partlyRandom returns size bytes of which the first zeros are zero and the rest random: a
// compressor can save about zeros/size of it and no more.
func partlyRandom(rng *rand.Rand, size, zeros int) []byte {
	b := make([]byte, size)
	for i := zeros; i < size; i++ {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// A batch is stored compressed only if compression saves at least 10 % of its records
// section: one that would save about 5 % is stored raw, one that would save about 20 % is
// compressed.
func TestAppendBatch_MinSaving(t *testing.T) {
	tests := []struct {
		name  string
		zeros int // of 8192 data bytes
		want  func(c segment.Codec) segment.Codec
	}{
		{"saves 5%", 8192 * 5 / 100, func(segment.Codec) segment.Codec { return segment.CodecNone }},
		{"saves 20%", 8192 * 20 / 100, func(c segment.Codec) segment.Codec { return c }},
	}
	for _, c := range codecs[1:] {
		for _, tt := range tests {
			t.Run("codec="+c.String()+"/"+tt.name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(3, uint64(tt.zeros)))
				recs := []segment.Record{{TimeMs: 1, PartitionKey: []byte("k"), Data: partlyRandom(rng, 8192, tt.zeros)}}
				b, err := segment.AppendBatch(nil, c, 0, recs)
				require.NoError(t, err)
				info, got, err := segment.DecodeBatch(nil, b)
				require.NoError(t, err)
				require.Equal(t, tt.want(c), info.Codec, "AppendBatch(%s) of a batch that %s: stored codec", c, tt.name)
				requireSameRecords(t, recs, got, 0)
			})
		}
	}
}

// SetCodec changes the codec of the batches that follow, and refuses an unknown one.
func TestWriter_SetCodec(t *testing.T) {
	w, _ := mustCreate(t, 0, segment.WriterOptions{Codec: segment.CodecS2})
	recs := makeRecords(50, 100, 0)
	var got []segment.Codec
	for _, c := range []segment.Codec{segment.CodecS2, segment.CodecNone, segment.CodecZstd} {
		require.NoError(t, w.SetCodec(c))
		info, err := w.AppendAt(recs, 100)
		require.NoError(t, err)
		got = append(got, info.Codec)
	}
	require.Equal(t, []segment.Codec{segment.CodecS2, segment.CodecNone, segment.CodecZstd}, got, "codecs of the appended batches")
	require.ErrorIs(t, w.SetCodec(3), segment.ErrUnknownCodec)
	info, err := w.AppendAt(recs, 100)
	require.NoError(t, err)
	require.Equal(t, segment.CodecZstd, info.Codec, "codec after a refused SetCodec")
}
