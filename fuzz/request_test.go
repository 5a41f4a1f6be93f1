package fuzz

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
)

// FuzzRequestDecode feeds arbitrary bodies to the server's request decoders.
//
// The properties:
//   - no body makes any decoder panic, for any operation, in JSON or CBOR;
//   - a failure is always a *kinesis.Error, of a type the client may see;
//   - the focused PutRecords and PutRecord decoders agree with the general path:
//     whatever they accept, the general path accepts with the same input; what
//     the general path rejects, they reject. (They may decline a valid body,
//     which the server then hands to the general path.)
//   - what they accept, encoding/json decodes to the same records too;
//   - the PutRecords decoder that leaves Data as base64 text (for a
//     Base64Putter) takes whatever the focused one takes; when it takes a body
//     whose texts all decode, the general path reads the same records, and when
//     one text does not decode, the general path fails with a
//     SerializationException;
//   - decoding allocates at most maxAllocPerBodyByte per body byte, beyond
//     what decoding an empty object for the same operation allocates: no body
//     makes the decoder hold memory out of proportion to its size.
func FuzzRequestDecode(f *testing.F) {
	for _, seed := range requestSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range server.Operations() {
			for _, contentType := range []string{"application/x-amz-json-1.1", "application/x-amz-cbor-1.1"} {
				var err error
				n := allocated(func() { _, err = server.DecodeRequest(op, contentType, body, server.Options{}) })
				requireRequestError(t, op, err)
				requireBoundedAlloc(t, op, contentType, body, n)
			}
		}
		checkPutRecordsFast(t, body)
		checkPutRecordsText(t, body)
		checkPutRecordFast(t, body)
	})
}

// FuzzPutRecordsDecode is the PutRecords part of FuzzRequestDecode alone, many times
// faster: the focused decoder and the one that leaves Data as base64 text, each against the
// general path.
func FuzzPutRecordsDecode(f *testing.F) {
	for _, seed := range requestSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkPutRecordsFast(t, body)
		checkPutRecordsText(t, body)
	})
}

var requestSeeds = []string{
	`{"StreamName":"s","Records":[{"Data":"aGVsbG8=","PartitionKey":"k"},{"Data":"","PartitionKey":"ключ","ExplicitHashKey":"42"}]}`,
	`{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","Records":[{"Data":"AAEC","PartitionKey":"k"}],"DryRun":true}`,
	`{"StreamName":"s","Data":"AAEC","PartitionKey":"k","SequenceNumberForOrdering":"1","ExplicitHashKey":"0"}`,
	`{"StreamName":"s","Records":[{"Data":"AB==","PartitionKey":"k"}]}`,
	`{"StreamName":"s","Records":[{"Data":"A\nAA","PartitionKey":"k"}]}`,
	`{"StreamName":"s","Records":[{"Data":"AAE!","PartitionKey":"k"},{"Data":"QQ=A","PartitionKey":"k"}]}`,
	`{"StreamName":"s","Records":[{"Data":"AAA\","PartitionKey":"k"},{"Data":"AAAA","PartitionKey":"k"}]}`,
	`{"StreamName":"s","Records":[{"Data":"\/\/\/\/","PartitionKey":"k"}]}`,
	`{"StreamName":"s","Records":[{"Data":"","PartitionKey":"\u00e9"}],"StreamName":"t"}`,
	`{"StreamName":"","Records":[]}`,
	`{"StreamName":"s","ShardId":"shardId-0","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1459799926.480}`,
	`{"StreamName":"s","Tags":{"k":"v","":"x"},"ShardCount":1e400}`,
	`{"ShardFilter":{"Type":"AT_LATEST"},"StreamName":"s","MaxResults":-1.5}`,
	`[]`,
	`{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	"\xa2\x6aStreamName\x61s\x67Records\x81\xa2\x64Data\x42\x01\x02\x6cPartitionKey\x61k",
	"\xbf\x69Timestamp\xc1\x1b\x00\x00\x01\xa0\x13\xac\xcc\x38\xff",
	"",
	`{"Records":[` + strings.Repeat("0,", 2000) + `0]}`,
	`{"StreamName":"s","Records":[` + strings.Repeat("{},", 2000) + `{}]}`,
	"\xa1\x67Records\x9f" + strings.Repeat("\xf6", 4000) + "\xff",
}

// maxAllocPerBodyByte bounds the bytes decoding may allocate per body byte
// (server's BenchmarkDecode_Worst finds 21 at most; the decoder before it, 266).
const maxAllocPerBodyByte = 32

// maxMessageAlloc bounds what a validation message costs beyond the body: it
// renders at most 1000 elements of a list (60 bytes each for a list of
// structures), and is built in a few copies.
const maxMessageAlloc = 600 << 10

// allocated returns the bytes fn allocates, the least of three runs: a run
// that finds a pool (regexp's machines, the runtime's) emptied by a garbage
// collection allocates more than the decoder's own work.
func allocated(fn func()) uint64 {
	least := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		fn()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}

// emptyBodies are the smallest bodies of each format: what decoding them
// allocates is the decoder's fixed cost (its operation table, the input).
var emptyBodies = map[string][]byte{
	"application/x-amz-json-1.1": []byte("{}"),
	"application/x-amz-cbor-1.1": {0xa0},
}

// requireBoundedAlloc checks that decoding body allocated n bytes at most
// maxAllocPerBodyByte per byte beyond the fixed cost.
func requireBoundedAlloc(t *testing.T, op, contentType string, body []byte, n uint64) {
	t.Helper()
	base := allocated(func() { server.DecodeRequest(op, contentType, emptyBodies[contentType], server.Options{}) })
	limit := base + uint64(maxAllocPerBodyByte*len(body)) + maxMessageAlloc

	if n > limit {
		t.Fatalf("%s %s: decoding %d bytes allocated %d, limit %d: %q", op, contentType, len(body), n, limit, body)
	}
}

// requireRequestError checks that a decoding failure is a Kinesis error the
// server can render.
func requireRequestError(t *testing.T, op string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *kinesis.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %T %v is not a *kinesis.Error", op, err, err)
	}
	switch e.Type {
	case kinesis.TypeSerialization, kinesis.TypeValidation:
	default:
		t.Fatalf("%s: unexpected error type %s: %s", op, e.Type, e.Message)
	}
}

// requestPutRecords is what encoding/json reads from a PutRecords body.
type requestPutRecords struct {
	Records []struct {
		Data            []byte
		ExplicitHashKey string
		PartitionKey    string
	}
	StreamName, StreamARN, StreamId string
	DryRun                          bool
}

func checkPutRecordsFast(t *testing.T, body []byte) {
	fast, ok := server.DecodePutRecordsFast(body, server.Options{})
	general, err := server.DecodeRequest("PutRecords", "application/x-amz-json-1.1", body, server.Options{})
	if !ok {
		return
	}
	if err != nil {
		t.Fatalf("fast decoder accepted what the general path rejects (%v): %q", err, body)
	}
	requireSamePutRecords(t, general.(*server.PutRecordsInput), fast, body)

	var std requestPutRecords
	if err := json.Unmarshal(body, &std); err != nil {
		t.Fatalf("fast decoder accepted what encoding/json rejects (%v): %q", err, body)
	}
	if std.StreamName != fast.StreamName || std.StreamARN != fast.StreamARN || std.StreamId != fast.StreamId ||
		std.DryRun != fast.DryRun || len(std.Records) != len(fast.Records) {
		t.Fatalf("encoding/json reads %+v, fast decoder %+v: %q", std, fast, body)
	}
	for i, r := range std.Records {
		f := fast.Records[i]
		if !bytes.Equal(r.Data, f.Data) || r.PartitionKey != f.PartitionKey || r.ExplicitHashKey != f.ExplicitHashKey {
			t.Fatalf("record %d: encoding/json reads %+v, fast decoder %+v: %q", i, r, f, body)
		}
	}
}

// checkPutRecordsText checks the decoder that leaves Data as base64 text for a Base64Putter:
// it takes every body the fast decoder takes; when all its texts decode, the general path
// reads the same records; when one does not, the general path fails with a
// SerializationException.
func checkPutRecordsText(t *testing.T, body []byte) {
	text, ok := server.DecodePutRecordsText(body, server.Options{})
	_, fastOK := server.DecodePutRecordsFast(body, server.Options{})
	if fastOK && !ok {
		t.Fatalf("the text decoder declines what the fast decoder takes: %q", body)
	}
	if !ok {
		return
	}
	general, err := server.DecodeRequest("PutRecords", "application/x-amz-json-1.1", body, server.Options{})
	decoded := &server.PutRecordsInput{StreamName: text.StreamName, StreamARN: text.StreamARN, StreamId: text.StreamId, DryRun: text.DryRun}
	for i, r := range text.Records {
		data, derr := base64.StdEncoding.Strict().DecodeString(string(r.Data))
		if derr != nil || len(data) != server.Base64Len(r.Data) {
			var e *kinesis.Error
			if !errors.As(err, &e) || e.Type != kinesis.TypeSerialization {
				t.Fatalf("record %d's text %q does not decode, but the general path gives %v: %q", i, r.Data, err, body)
			}
			return
		}
		decoded.Records = append(decoded.Records, server.PutRecordsRequestEntry{Data: data, PartitionKey: r.PartitionKey, ExplicitHashKey: r.ExplicitHashKey})
	}
	if err != nil {
		t.Fatalf("text decoder accepted, every text decodes, but the general path rejects (%v): %q", err, body)
	}
	requireSamePutRecords(t, general.(*server.PutRecordsInput), decoded, body)
}

func requireSamePutRecords(t *testing.T, want, got *server.PutRecordsInput, body []byte) {
	t.Helper()
	if want.StreamName != got.StreamName || want.StreamARN != got.StreamARN || want.StreamId != got.StreamId ||
		want.DryRun != got.DryRun || len(want.Records) != len(got.Records) {
		t.Fatalf("general path reads %+v, fast decoder %+v: %q", want, got, body)
	}
	for i, w := range want.Records {
		g := got.Records[i]
		if !bytes.Equal(w.Data, g.Data) || w.PartitionKey != g.PartitionKey || w.ExplicitHashKey != g.ExplicitHashKey {
			t.Fatalf("record %d: general path reads %+v, fast decoder %+v: %q", i, w, g, body)
		}
	}
}

func checkPutRecordFast(t *testing.T, body []byte) {
	fast, ok := server.DecodePutRecordFast(body, server.Options{})
	general, err := server.DecodeRequest("PutRecord", "application/x-amz-json-1.1", body, server.Options{})
	if !ok {
		return
	}
	if err != nil {
		t.Fatalf("fast decoder accepted what the general path rejects (%v): %q", err, body)
	}
	g := general.(*server.PutRecordInput)
	if !bytes.Equal(g.Data, fast.Data) {
		t.Fatalf("data: general path reads %q, fast decoder %q: %q", g.Data, fast.Data, body)
	}
	if g.StreamName != fast.StreamName || g.StreamARN != fast.StreamARN || g.StreamId != fast.StreamId ||
		g.PartitionKey != fast.PartitionKey || g.ExplicitHashKey != fast.ExplicitHashKey ||
		g.SequenceNumberForOrdering != fast.SequenceNumberForOrdering || g.DryRun != fast.DryRun {
		t.Fatalf("general path reads %+v, fast decoder %+v: %q", g, fast, body)
	}
}
