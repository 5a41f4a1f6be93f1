package fuzz_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"testing"

	"github.com/shardlog/shardlog/internal/eventstream"
)

// eventStreamSeeds returns valid messages: an empty one, the three a
// SubscribeToShard answer is made of, and one with every header type.
func eventStreamSeeds() [][]byte {
	str := eventstream.StringHeader
	return [][]byte{
		eventstream.AppendMessage(nil, nil, nil),
		eventstream.AppendMessage(nil, []eventstream.Header{str(":message-type", "event"), str(":event-type", "initial-response")}, []byte("{}")),
		eventstream.AppendMessage(nil, []eventstream.Header{str(":message-type", "event"), str(":event-type", "SubscribeToShardEvent"), str(":content-type", "application/json")},
			[]byte(`{"Records":[],"ContinuationSequenceNumber":"1","MillisBehindLatest":0}`)),
		eventstream.AppendMessage(nil, []eventstream.Header{str(":message-type", "exception"), str(":exception-type", "ResourceInUseException")}, []byte(`{"message":"m"}`)),
		eventstream.AppendMessage(nil, []eventstream.Header{
			{Name: "t", Type: eventstream.TypeBoolTrue}, {Name: "f", Type: eventstream.TypeBoolFalse},
			{Name: "b", Type: eventstream.TypeByte, Int: -1}, {Name: "s", Type: eventstream.TypeInt16, Int: -2},
			{Name: "i", Type: eventstream.TypeInt32, Int: -3}, {Name: "l", Type: eventstream.TypeInt64, Int: -4},
			{Name: "y", Type: eventstream.TypeBytes, Bytes: []byte{0, 1}}, {Name: "z", Type: eventstream.TypeTimestamp, Int: 5},
			{Name: "u", Type: eventstream.TypeUUID, Bytes: make([]byte, 16)},
		}, []byte("payload")),
	}
}

// fixChecksums rewrites the prelude and message CRCs of b in place, when b
// is long enough to have them, so that the fuzzer reaches the checks behind
// them.
func fixChecksums(b []byte) {
	if len(b) < 16 {
		return
	}
	binary.BigEndian.PutUint32(b[8:], crc32.ChecksumIEEE(b[:8]))
	binary.BigEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
}

// FuzzEventStreamDecode checks eventstream.Decode and Reader on arbitrary
// bytes from the network: they never panic, whatever decodes re-encodes to
// the same bytes, and the Reader agrees with Decode. Each input is also tried
// with its lengths and checksums made consistent.
func FuzzEventStreamDecode(f *testing.F) {
	for _, b := range eventStreamSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkEventStreamDecode(t, b)
		fixed := bytes.Clone(b)
		if len(fixed) >= 16 {
			binary.BigEndian.PutUint32(fixed, uint32(len(fixed)))
			fixChecksums(fixed)
		}
		checkEventStreamDecode(t, fixed)
	})
}

func checkEventStreamDecode(t *testing.T, b []byte) {
	m, err := eventstream.Decode(b, nil)
	if err == nil {
		if again := eventstream.AppendMessage(nil, m.Headers, m.Payload); !bytes.Equal(again, b) {
			t.Fatalf("Decode then AppendMessage = %x, want %x", again, b)
		}
	}
	r := eventstream.NewReader(bytes.NewReader(b), 0)
	rm, rerr := r.Next()
	switch {
	case err == nil && rerr != nil:
		t.Fatalf("Decode accepts %x, Reader.Next fails: %v", b, rerr)
	case err == nil && !bytes.Equal(eventstream.AppendMessage(nil, rm.Headers, rm.Payload), b):
		t.Fatalf("Reader.Next and Decode disagree on %x", b)
	case err == nil:
		if _, end := r.Next(); !errors.Is(end, io.EOF) {
			t.Fatalf("Next after the only message err = %v, want io.EOF", end)
		}
	}
}

// FuzzEventStreamRoundTrip encodes a message built from the fuzzer's values
// and checks that it decodes to the same message.
func FuzzEventStreamRoundTrip(f *testing.F) {
	f.Add(":event-type", uint8(7), int64(0), []byte("SubscribeToShardEvent"), []byte(`{"Records":[]}`))
	f.Add("n", uint8(4), int64(-5), []byte(nil), []byte(nil))
	f.Add("uuid", uint8(9), int64(0), make([]byte, 16), []byte{0})
	f.Fuzz(func(t *testing.T, name string, typ uint8, i int64, value, payload []byte) {
		h, ok := fuzzHeader(name, eventstream.Type(typ), i, value)
		if !ok {
			return
		}
		headers := []eventstream.Header{h, eventstream.StringHeader(":message-type", "event")}
		enc := eventstream.AppendMessage(nil, headers, payload)
		m, err := eventstream.Decode(enc, nil)
		if err != nil {
			t.Fatalf("Decode(AppendMessage(%+v)) err = %v", h, err)
		}
		if len(m.Headers) != 2 || !bytes.Equal(m.Payload, payload) {
			t.Fatalf("Decode(AppendMessage) = %d headers, payload %x; want 2, %x", len(m.Headers), m.Payload, payload)
		}
		got := m.Headers[0]
		if got.Name != h.Name || got.Type != h.Type || got.Int != h.Int || !bytes.Equal(got.Bytes, h.Bytes) {
			t.Fatalf("header = %+v, want %+v", got, h)
		}
	})
}

// fuzzHeader makes a valid header of type t from the fuzzer's values, the
// integer narrowed to what the type holds; it reports false when no valid
// header can be made.
func fuzzHeader(name string, t eventstream.Type, i int64, value []byte) (eventstream.Header, bool) {
	if name == "" || len(name) > 255 || t > eventstream.TypeUUID || len(value) > 1<<15-1 {
		return eventstream.Header{}, false
	}
	h := eventstream.Header{Name: name, Type: t}
	switch t {
	case eventstream.TypeByte:
		h.Int = int64(int8(i))
	case eventstream.TypeInt16:
		h.Int = int64(int16(i))
	case eventstream.TypeInt32:
		h.Int = int64(int32(i))
	case eventstream.TypeInt64, eventstream.TypeTimestamp:
		h.Int = i
	case eventstream.TypeBytes, eventstream.TypeString:
		h.Bytes = value
	case eventstream.TypeUUID:
		if len(value) < 16 {
			return eventstream.Header{}, false
		}
		h.Bytes = value[:16]
	}
	return h, true
}
