package segment_test

import (
	"bytes"
	"crypto/rand"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
)

// fillSection builds recs into sec the way a caller decoding data in place does: Add, then
// fill the place it returns. A fresh Section grows from nothing as records are added; a
// reused one (Reset) mostly has room.
func fillSection(t *testing.T, sec *segment.Section, recs []segment.Record, fresh bool) {
	t.Helper()
	if fresh {
		*sec = segment.Section{}
	} else {
		sec.Reset()
	}
	for _, r := range recs {
		place := sec.Add(r.PartitionKey, len(r.Data))
		require.Len(t, place, len(r.Data))
		copy(place, r.Data)
	}
	require.Equal(t, len(recs), sec.Len())
}

// TestWriter_AppendSectionAt checks that a batch built in a Section is the very batch AppendAt
// frames from the same records, byte for byte, with each codec, and that it reads back.
func TestWriter_AppendSectionAt(t *testing.T) {
	random := make([]byte, 3000)
	rand.Read(random)
	inputs := map[string][]segment.Record{
		"compressible": makeRecords(40, 300, 0),
		"random":       {{PartitionKey: []byte("k"), Data: random}, {PartitionKey: []byte("key-2"), Data: random[:1000]}},
		"empty data":   {{PartitionKey: []byte("k")}, {PartitionKey: bytes.Repeat([]byte("p"), 256), Data: []byte{1}}},
	}
	for _, c := range codecs {
		for name, recs := range inputs {
			t.Run("codec="+c.String()+"/"+name, func(t *testing.T) {
				opts := segment.WriterOptions{Codec: c, PreallocateBytes: 64 << 10}
				byRecs, recsPath := mustCreate(t, 3, opts)
				bySection, sectionPath := mustCreate(t, 3, opts)
				var sec segment.Section
				for i := range 3 {
					at := int64(1_700_000_000_000 + i)
					want, err := byRecs.AppendAt(recs, at)
					require.NoError(t, err)
					fillSection(t, &sec, recs, i%2 == 0)
					got, err := bySection.AppendSectionAt(&sec, at)
					require.NoError(t, err)
					require.Equal(t, want, got, "batch %d", i)
				}
				require.NoError(t, byRecs.Sync())
				require.NoError(t, bySection.Sync())
				a, err := os.ReadFile(recsPath)
				require.NoError(t, err)
				b, err := os.ReadFile(sectionPath)
				require.NoError(t, err)
				require.True(t, bytes.Equal(a[segment.HeaderSize:byRecs.Size()], b[segment.HeaderSize:bySection.Size()]),
					"the batches framed from a Section differ from AppendAt's")

				got, _ := readAll(t, mustOpenReader(t, sectionPath, 0), bySection.Size())
				var want []segment.Record
				for i := range 3 {
					for _, r := range recs {
						r.TimeMs = int64(1_700_000_000_000 + i)
						want = append(want, r)
					}
				}
				requireSameRecords(t, want, got, 3)
			})
		}
	}
}

// TestWriter_AppendSectionAtErrors checks that a Section the segment cannot take leaves it
// as it was, and that the next append goes in.
func TestWriter_AppendSectionAtErrors(t *testing.T) {
	w, path := mustCreate(t, 0, segment.WriterOptions{PreallocateBytes: 64 << 10})
	var sec segment.Section
	_, err := w.AppendSectionAt(&sec, 5000)
	require.ErrorIs(t, err, segment.ErrEmptyBatch)

	fillSection(t, &sec, makeRecords(2, 10, 0), false)
	_, err = w.AppendSectionAt(&sec, 5000)
	require.NoError(t, err)
	_, err = w.AppendSectionAt(&sec, 4999)
	require.ErrorIs(t, err, segment.ErrTimeOrder, "a batch must not start before the previous one ended")

	sec.Reset()
	sec.Add([]byte("k"), segment.MaxBatchBytes)
	_, err = w.AppendSectionAt(&sec, 6000)
	require.ErrorIs(t, err, segment.ErrBatchTooLarge)

	require.NoError(t, w.SetCodec(segment.CodecS2))
	fillSection(t, &sec, makeRecords(3, 100, 0), false)
	info, err := w.AppendSectionAt(&sec, 6000)
	require.NoError(t, err)
	require.Equal(t, uint64(2), info.FirstOffset)
	require.Equal(t, segment.CodecS2, info.Codec)
	require.NoError(t, w.Sync())
	got, _ := readAll(t, mustOpenReader(t, path, 0), w.Size())
	require.Len(t, got, 5)
}
