package server

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/internal/wire"
)

// randAnswerText is a member value: mostly what a real answer holds (56-digit sequence
// numbers, shard ids, error codes), sometimes text that needs escaping, non-ASCII or
// invalid UTF-8, of any length up to 300 bytes, so that every CBOR length form is covered.
func randAnswerText(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return ""
	case 1:
		return "49654321098765432109876543210987654321098765432109876543"[:1+r.IntN(56)]
	case 2:
		return "shardId-00000000000" + string(rune('0'+r.IntN(10)))
	case 3:
		return "ProvisionedThroughputExceededException"
	}
	alphabet := []string{"a", "Z", "0", " ", `"`, `\`, "\n", "\x00", "\x1f", "é", "😀", "\xff", "\u2028", "<"}
	var b bytes.Buffer
	for n := r.IntN(300); b.Len() < n; {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func randPutRecordsOutput(r *rand.Rand) *PutRecordsOutput {
	out := &PutRecordsOutput{FailedRecordCount: int32(r.IntN(501))}
	switch r.IntN(10) {
	case 0:
		out.FailedRecordCount = r.Int32() - r.Int32()
	case 1:
		out.EncryptionType = randAnswerText(r)
	case 2:
		out.EncryptionType = "KMS"
	}
	n := r.IntN(501)
	if n == 0 && r.IntN(2) == 0 {
		return out // Records nil
	}
	out.Records = make([]PutRecordsResultEntry, n)
	for i := range out.Records {
		e := &out.Records[i]
		if r.IntN(8) == 0 {
			e.SequenceNumber, e.ShardId, e.ErrorCode, e.ErrorMessage = randAnswerText(r), randAnswerText(r), randAnswerText(r), randAnswerText(r)
			continue
		}
		e.SequenceNumber, e.ShardId = randAnswerText(r), randAnswerText(r)
	}
	return out
}

// TestPutRecordsAnswer_SameBytes checks the direct encoders of the PutRecords answer, JSON
// and CBOR, against the reflective encoder every other answer goes through, byte for byte,
// on random answers, each appended after some bytes already in the buffer.
func TestPutRecordsAnswer_SameBytes(t *testing.T) {
	r := testutil.Rand(t)
	n := 600
	if testing.Short() {
		n = 100
	}
	prefix := []byte("prefix")
	for i := range n {
		out := randPutRecordsOutput(r)
		if got, want := appendPutRecordsJSON(bytes.Clone(prefix), out), wire.AppendOutputJSON(bytes.Clone(prefix), out); !bytes.Equal(got, want) {
			t.Fatalf("answer %d: appendPutRecordsJSON = %q, want %q", i, got, want)
		}
		if got, want := appendPutRecordsCBOR(bytes.Clone(prefix), out), wire.AppendOutputCBOR(bytes.Clone(prefix), out); !bytes.Equal(got, want) {
			t.Fatalf("answer %d: appendPutRecordsCBOR = %x, want %x", i, got, want)
		}
	}
}

// TestPutRecordsAnswer_Empty checks the edge answers, which random ones seldom hit.
func TestPutRecordsAnswer_Empty(t *testing.T) {
	for _, out := range []*PutRecordsOutput{
		{},
		{Records: []PutRecordsResultEntry{}},
		{Records: []PutRecordsResultEntry{{}}},
		{FailedRecordCount: -1, EncryptionType: "NONE"},
		{FailedRecordCount: 1 << 30},
	} {
		if got, want := appendPutRecordsJSON(nil, out), wire.AppendOutputJSON(nil, out); !bytes.Equal(got, want) {
			t.Errorf("appendPutRecordsJSON(%+v) = %q, want %q", out, got, want)
		}
		if got, want := appendPutRecordsCBOR(nil, out), wire.AppendOutputCBOR(nil, out); !bytes.Equal(got, want) {
			t.Errorf("appendPutRecordsCBOR(%+v) = %x, want %x", out, got, want)
		}
	}
}

func BenchmarkPutRecordsAnswer(b *testing.B) {
	out := newNopBackend(500).put
	b.Run("format=json", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendPutRecordsJSON(buf[:0], out)
		}
	})
	b.Run("format=cbor", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendPutRecordsCBOR(buf[:0], out)
		}
	})
	b.Run("format=cbor/encoder=reflective", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = wire.AppendOutputCBOR(buf[:0], out)
		}
	})
}
