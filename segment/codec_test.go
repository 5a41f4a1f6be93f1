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

// ReadBatchInto decompresses into the buffer it is given when that has room, keeping its
// capacity for the next batch, and into fresh memory when not; uncompressed batches leave
// the buffer alone. Every batch reads back the same either way.
func TestReader_ReadBatchInto(t *testing.T) {
	for _, c := range codecs[1:] {
		t.Run("codec="+c.String(), func(t *testing.T) {
			w, path := mustCreate(t, 0, segment.WriterOptions{Codec: c})
			small, large := makeRecords(10, 100, 0), makeRecords(40, 100, 100)
			noise := []segment.Record{{TimeMs: 200, PartitionKey: []byte("k"), Data: partlyRandom(rand.New(rand.NewPCG(1, 1)), 2000, 0)}}
			batches := [][]segment.Record{small, large, noise, makeRecords(10, 100, 300)}
			for _, recs := range batches {
				_, err := w.Append(recs)
				require.NoError(t, err)
			}
			r := mustOpenReader(t, path, 0)

			buf := make([]byte, 0, 1<<16)
			pos := int64(segment.HeaderSize)
			var recs []segment.Record
			for i, want := range batches {
				info, got, used, err := r.ReadBatchInto(recs, buf, pos, w.Size())
				require.NoError(t, err, "batch %d", i)
				requireSameRecords(t, want, got, info.FirstOffset)
				require.Equal(t, cap(buf), cap(used), "batch %d (%s): capacity of the buffer handed back", i, info.Codec)
				if info.Codec != segment.CodecNone {
					require.Same(t, &buf[:1][0], &used[:1][0], "batch %d: decompressed into the buffer given", i)
					require.Same(t, &buf[:3][2], &got[0].PartitionKey[:1][0], "batch %d: records alias the buffer given (the first key follows two one-byte uvarints)", i)
				}
				pos, recs, buf = info.End(), got, used
			}

			tiny := make([]byte, 0, 8)
			info, got, used, err := r.ReadBatchInto(nil, tiny, segment.HeaderSize, w.Size())
			require.NoError(t, err)
			requireSameRecords(t, small, got, info.FirstOffset)
			require.NotSame(t, &tiny[:1][0], &used[:1][0], "a buffer too small is not written to")
			payload := 0
			for _, r := range small {
				payload += len(r.PartitionKey) + len(r.Data)
			}
			require.Greater(t, cap(used), payload, "the fresh buffer handed back holds the batch's records section")
		})
	}
}
