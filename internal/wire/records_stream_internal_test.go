package wire

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

// recordSetForStreaming is a random record set for the streaming tests: mostly small
// records, some of tens of KiB, so that answers cross StreamChunkBytes several times, at
// every kind of position within a record.
func recordSetForStreaming(rng *rand.Rand) []testRecord {
	records := randomRecords(rng, rng.IntN(400))
	for i := range records {
		if rng.IntN(8) == 0 {
			records[i].data = make([]byte, rng.IntN(96<<10))
			for j := range records[i].data {
				records[i].data[j] = byte(rng.Uint32())
			}
		}
	}
	return records
}

// recordsEncoder is the common shape of JSONRecords and CBORRecords.
type recordsEncoder interface {
	Record(sequenceNumber []byte, arrivalMs int64, partitionKey []byte, data []byte) error
	SetEncryptionType(t string)
	Finish(end RecordsEnd) []byte
}

// TestRecords_PiecesEqualTheWholeAnswer: an answer sent in pieces is, byte for byte, the
// answer built whole, in JSON and in CBOR, for many random record sets; every piece but the
// last is at least StreamChunkBytes and less than StreamChunkBytes plus the record that
// crossed it, so the buffer stays bounded.
func TestRecords_PiecesEqualTheWholeAnswer(t *testing.T) {
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 5))
	encoders := []struct {
		name string
		new  func(buf []byte, flush FlushFunc) recordsEncoder
	}{
		{"json", func(buf []byte, flush FlushFunc) recordsEncoder { return NewJSONRecords(buf, flush) }},
		{"cbor", func(buf []byte, flush FlushFunc) recordsEncoder { return NewCBORRecords(buf, flush) }},
	}
	sets := 60
	if testing.Short() {
		sets = 15
	}
	streamedSets := 0
	for set := range sets {
		records := recordSetForStreaming(rng)
		end := RecordsEnd{NextShardIterator: "next-" + string(rune('a'+set%26)), MillisBehindLatest: rng.Int64N(1 << 40)}
		if set%3 == 0 {
			end.ChildShards = []struct{ ShardId string }{{ShardId: "shardId-000000000007"}}
		}
		encryptFrom := -1
		if set%4 == 0 {
			encryptFrom = rng.IntN(len(records) + 1)
		}
		for _, e := range encoders {
			encode := func(enc recordsEncoder) []byte {
				for i, r := range records {
					if i == encryptFrom {
						enc.SetEncryptionType("KMS")
					}
					require.NoError(t, enc.Record([]byte(r.seq), r.arrivalMs, r.key, r.data))
				}
				return enc.Finish(end)
			}
			whole := encode(e.new(nil, nil))

			var sent bytes.Buffer
			var pieces []int
			prev := 0 // the answer's length after the record before
			maxRecord := 0
			flush := func(b []byte) ([]byte, error) {
				pieces = append(pieces, len(b))
				sent.Write(b)
				return b[:0], nil
			}
			enc := e.new(make([]byte, 0, 64), flush)
			for i, r := range records {
				if i == encryptFrom {
					enc.SetEncryptionType("KMS")
				}
				require.NoError(t, enc.Record([]byte(r.seq), r.arrivalMs, r.key, r.data))
				total := sent.Len() + len(piecesOf(enc))
				maxRecord = max(maxRecord, total-prev)
				prev = total
			}
			sent.Write(enc.Finish(end))

			require.True(t, bytes.Equal(whole, sent.Bytes()), "%s set %d (%d records, pieces %v): the pieces differ from the whole answer",
				e.name, set, len(records), pieces)
			for _, p := range pieces {
				require.GreaterOrEqual(t, p, StreamChunkBytes, "%s set %d: a piece before the last is short", e.name, set)
				require.Less(t, p, StreamChunkBytes+maxRecord, "%s set %d: a piece exceeds the bound", e.name, set)
			}
			if len(pieces) > 1 {
				streamedSets++
			}
		}
	}
	require.Positive(t, streamedSets, "no record set crossed StreamChunkBytes twice: the test exercised nothing")
}

// piecesOf is the part of enc's answer not sent yet.
func piecesOf(enc recordsEncoder) []byte {
	switch e := enc.(type) {
	case *JSONRecords:
		return e.buf
	case *CBORRecords:
		return e.buf
	}
	panic("unknown encoder")
}

// TestRecords_FlushErrorStopsTheAnswer: a failed send is the Record call's error, so that
// the Backend stops reading.
func TestRecords_FlushErrorStopsTheAnswer(t *testing.T) {
	broken := errors.New("connection reset")
	for _, enc := range []recordsEncoder{
		NewJSONRecords(nil, func(b []byte) ([]byte, error) { return b[:0], broken }),
		NewCBORRecords(nil, func(b []byte) ([]byte, error) { return b[:0], broken }),
	} {
		data := make([]byte, StreamChunkBytes)
		require.ErrorIs(t, enc.Record([]byte("1"), 0, []byte("k"), data), broken)
	}
}
