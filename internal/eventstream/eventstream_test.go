package eventstream_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/shardlog/shardlog/internal/eventstream"
)

// The byte sequences below are the event-stream test vectors AWS publishes
// with its SDKs (aws-sdk-go-v2 aws/protocol/eventstream/testdata/encoded, the
// same set as aws-c-event-stream's), written out in hex.
var (
	vectorEmpty            = "000000100000000005c248eb7d98c8ff"
	vectorPayloadNoHeaders = "0000001d00000000fd528c5a7b27666f6f273a27626172277dc3653936"
	vectorInt32Header      = "0000002d0000001041c424b80a6576656e742d74797065040000a00c7b27666f6f273a27626172277d36f480a0"
	vectorOneStringHeader  = "0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1"
	vectorAllHeaders       = "000000cc000000af0fae64ca0a6576656e742d74797065040000a00c0c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0a626f6f6c2066616c73650109626f6f6c207472756500046279746502cf08627974652062756606001449276d2061206c6974746c6520746561706f74210974696d657374616d70080000000000845fed05696e74313603002a05696e7436340500000000028757b20475756964090102030405060708090a0b0c0d0e0f107b27666f6f273a27626172277daba5f10c"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var fooBar = []byte("{'foo':'bar'}")

// knownMessages pairs each vector with the message it encodes.
var knownMessages = []struct {
	name string
	hex  string
	msg  eventstream.Message
}{
	{"empty_message", vectorEmpty, eventstream.Message{}},
	{"payload_no_headers", vectorPayloadNoHeaders, eventstream.Message{Payload: fooBar}},
	{"int32_header", vectorInt32Header, eventstream.Message{
		Headers: []eventstream.Header{{Name: "event-type", Type: eventstream.TypeInt32, Int: 40972}},
		Payload: fooBar,
	}},
	{"payload_one_str_header", vectorOneStringHeader, eventstream.Message{
		Headers: []eventstream.Header{eventstream.StringHeader("content-type", "application/json")},
		Payload: fooBar,
	}},
	{"all_headers", vectorAllHeaders, eventstream.Message{
		Headers: []eventstream.Header{
			{Name: "event-type", Type: eventstream.TypeInt32, Int: 40972},
			eventstream.StringHeader("content-type", "application/json"),
			{Name: "bool false", Type: eventstream.TypeBoolFalse},
			{Name: "bool true", Type: eventstream.TypeBoolTrue},
			{Name: "byte", Type: eventstream.TypeByte, Int: -49},
			{Name: "byte buf", Type: eventstream.TypeBytes, Bytes: []byte("I'm a little teapot!")},
			{Name: "timestamp", Type: eventstream.TypeTimestamp, Int: 8675309},
			{Name: "int16", Type: eventstream.TypeInt16, Int: 42},
			{Name: "int64", Type: eventstream.TypeInt64, Int: 42424242},
			{Name: "uuid", Type: eventstream.TypeUUID, Bytes: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
		},
		Payload: fooBar,
	}},
}

// sameMessage compares two messages, treating nil and empty slices alike.
func sameMessage(got, want eventstream.Message) bool {
	if len(got.Headers) != len(want.Headers) || !bytes.Equal(got.Payload, want.Payload) {
		return false
	}
	for i := range got.Headers {
		g, w := got.Headers[i], want.Headers[i]
		if g.Name != w.Name || g.Type != w.Type || g.Int != w.Int || !bytes.Equal(g.Bytes, w.Bytes) {
			return false
		}
	}
	return true
}

func TestAppendMessage_KnownBytes(t *testing.T) {
	for _, tc := range knownMessages {
		t.Run(tc.name, func(t *testing.T) {
			got := eventstream.AppendMessage(nil, tc.msg.Headers, tc.msg.Payload)
			if want := unhex(t, tc.hex); !bytes.Equal(got, want) {
				t.Errorf("AppendMessage = %x\nwant           %x", got, want)
			}
		})
	}
}

func TestDecode_KnownBytes(t *testing.T) {
	for _, tc := range knownMessages {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eventstream.Decode(unhex(t, tc.hex), nil)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !sameMessage(got, tc.msg) {
				t.Errorf("Decode = %+v\nwant     %+v", got, tc.msg)
			}
		})
	}
}

// TestDecode_Damaged decodes AWS's negative vectors, each one byte away from
// a positive one, and a few damages of our own.
func TestDecode_Damaged(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		want error
	}{
		{"corrupted_length", "0000003e" + vectorOneStringHeader[8:], eventstream.ErrPreludeChecksum},
		{"corrupted_header_len", vectorOneStringHeader[:8] + "00000021" + vectorOneStringHeader[16:], eventstream.ErrPreludeChecksum},
		{"corrupted_headers", strings.Replace(vectorOneStringHeader, "7b27666f6f", "7b61666f6f", 1), eventstream.ErrMessageChecksum},
		{"corrupted_payload", strings.Replace(vectorPayloadNoHeaders, "7b27666f6f", "5b27666f6f", 1), eventstream.ErrMessageChecksum},
		{"short_prelude", vectorEmpty[:20], eventstream.ErrTruncated},
		{"one_byte_short", vectorPayloadNoHeaders[:len(vectorPayloadNoHeaders)-2], eventstream.ErrMalformed},
		{"one_byte_over", vectorPayloadNoHeaders + "00", eventstream.ErrMalformed},
		{"declares_17MiB", prelude(17<<20, 0), eventstream.ErrTooLarge},
		{"headers_longer_than_message", prelude(16, 4) + "00000000", eventstream.ErrMalformed},
		{"header_name_past_block", withHeaderBlock("05616263"), eventstream.ErrMalformed},
		{"header_empty_name", withHeaderBlock("0007"), eventstream.ErrMalformed},
		{"header_unknown_type", withHeaderBlock("01610a"), eventstream.ErrMalformed},
		{"header_string_past_block", withHeaderBlock("0161070005616263"), eventstream.ErrMalformed},
		{"header_string_over_32767", withHeaderBlock("0161078000" + strings.Repeat("61", 32768)), eventstream.ErrMalformed},
		{"header_int64_past_block", withHeaderBlock("016105000000"), eventstream.ErrMalformed},
		{"header_uuid_past_block", withHeaderBlock("0161090102030405060708"), eventstream.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := eventstream.Decode(unhex(t, tc.hex), nil)
			if !errors.Is(err, tc.want) {
				t.Errorf("Decode err = %v, want %v", err, tc.want)
			}
		})
	}
}

// prelude returns the hex of a prelude with a good checksum.
func prelude(total, headersLen uint32) string {
	b := []byte{byte(total >> 24), byte(total >> 16), byte(total >> 8), byte(total),
		byte(headersLen >> 24), byte(headersLen >> 16), byte(headersLen >> 8), byte(headersLen)}
	sum := crc32IEEE(b)
	b = append(b, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
	return hex.EncodeToString(b)
}

// withHeaderBlock returns the hex of a message whose header block is the
// given hex, with good checksums, so that only the headers are wrong.
func withHeaderBlock(block string) string {
	h, _ := hex.DecodeString(block)
	total := uint32(16 + len(h))
	b, _ := hex.DecodeString(prelude(total, uint32(len(h))))
	b = append(b, h...)
	sum := crc32IEEE(b)
	b = append(b, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
	return hex.EncodeToString(b)
}

func TestRoundTrip(t *testing.T) {
	big := bytes.Repeat([]byte{0xa5}, 1<<20)
	for _, tc := range append(knownMessages, struct {
		name string
		hex  string
		msg  eventstream.Message
	}{"1MiB_payload", "", eventstream.Message{
		Headers: []eventstream.Header{eventstream.StringHeader(":message-type", "event"), {Name: strings.Repeat("n", 255), Type: eventstream.TypeString, Bytes: bytes.Repeat([]byte{'v'}, 32767)}},
		Payload: big,
	}}) {
		t.Run(tc.name, func(t *testing.T) {
			enc := eventstream.AppendMessage([]byte("prefix"), tc.msg.Headers, tc.msg.Payload)
			got, err := eventstream.Decode(enc[len("prefix"):], nil)
			if err != nil {
				t.Fatalf("Decode(AppendMessage) err = %v", err)
			}
			if !sameMessage(got, tc.msg) {
				t.Errorf("Decode(AppendMessage) = %+v, want %+v", got.Headers, tc.msg.Headers)
			}
		})
	}
}

// TestDecode_EveryTruncationAndFlip: a message cut at any byte, or with any
// byte changed, is refused, never decoded to something else.
func TestDecode_EveryTruncationAndFlip(t *testing.T) {
	good := unhex(t, vectorAllHeaders)
	for n := range len(good) {
		if _, err := eventstream.Decode(good[:n], nil); err == nil {
			t.Errorf("Decode(first %d of %d bytes) err = nil", n, len(good))
		}
	}
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x01
		if _, err := eventstream.Decode(bad, nil); err == nil {
			t.Errorf("Decode(bit flipped in byte %d) err = nil", i)
		}
	}
}

func TestAppendMessage_NoAllocations(t *testing.T) {
	headers := []eventstream.Header{
		eventstream.StringHeader(":message-type", "event"),
		eventstream.StringHeader(":event-type", "SubscribeToShardEvent"),
		eventstream.StringHeader(":content-type", "application/json"),
	}
	payload := bytes.Repeat([]byte("x"), 1000)
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		buf = eventstream.AppendMessage(buf[:0], headers, payload)
	})
	if allocs != 0 {
		t.Errorf("AppendMessage into a buffer with room: %v allocations, want 0", allocs)
	}
}

func TestAppendMessage_PanicsOnBadHeader(t *testing.T) {
	tests := []struct {
		name string
		h    eventstream.Header
	}{
		{"empty_name", eventstream.StringHeader("", "v")},
		{"long_name", eventstream.StringHeader(strings.Repeat("n", 256), "v")},
		{"long_value", eventstream.StringHeader("n", strings.Repeat("v", 32768))},
		{"unknown_type", eventstream.Header{Name: "n", Type: 10}},
		{"short_uuid", eventstream.Header{Name: "n", Type: eventstream.TypeUUID, Bytes: []byte{1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("AppendMessage(%s) did not panic", tc.name)
				}
			}()
			eventstream.AppendMessage(nil, []eventstream.Header{tc.h}, nil)
		})
	}
}

func TestReader_Stream(t *testing.T) {
	var stream []byte
	for _, tc := range knownMessages {
		stream = append(stream, unhex(t, tc.hex)...)
	}
	// One byte per Read, the hardest way to arrive.
	r := eventstream.NewReader(&oneByteReader{b: stream}, 0)
	for _, tc := range knownMessages {
		got, err := r.Next()
		if err != nil {
			t.Fatalf("Next (want %s): %v", tc.name, err)
		}
		if !sameMessage(got, tc.msg) {
			t.Errorf("Next = %+v, want %s", got, tc.name)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next at the end err = %v, want io.EOF", err)
	}
}

func TestReader_Truncated(t *testing.T) {
	b := unhex(t, vectorOneStringHeader)
	for _, n := range []int{1, 11, 12, 30, len(b) - 1} {
		r := eventstream.NewReader(bytes.NewReader(b[:n]), 0)
		_, err := r.Next()
		if !errors.Is(err, eventstream.ErrTruncated) {
			t.Errorf("Next over %d of %d bytes err = %v, want ErrTruncated", n, len(b), err)
		}
		if _, again := r.Next(); again != err {
			t.Errorf("Next after %v = %v, want the same error", err, again)
		}
	}
}

// TestReader_DeclaredLengthDoesNotAllocate: a peer that declares a 16 MiB
// message and sends a few bytes costs the first read step, not 16 MiB.
func TestReader_DeclaredLengthDoesNotAllocate(t *testing.T) {
	b := append(unhex(t, prelude(16<<20, 0)), make([]byte, 20)...)
	var err error
	n := bytesAllocated(func() {
		_, err = eventstream.NewReader(bytes.NewReader(b), 0).Next()
	})
	if !errors.Is(err, eventstream.ErrTruncated) {
		t.Fatalf("Next err = %v, want ErrTruncated", err)
	}
	if n > 1<<20 {
		t.Errorf("Next over a 16 MiB declaration with 20 bytes allocated %d bytes, want under 1 MiB", n)
	}
}

func TestReader_RefusesOverMax(t *testing.T) {
	b := eventstream.AppendMessage(nil, nil, make([]byte, 100))
	_, err := eventstream.NewReader(bytes.NewReader(b), 64).Next()
	if !errors.Is(err, eventstream.ErrTooLarge) {
		t.Errorf("Next(116-byte message, max 64) err = %v, want ErrTooLarge", err)
	}
}

type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0], r.b = r.b[0], r.b[1:]
	return 1, nil
}

// bytesAllocated returns the bytes the heap handed out while f ran.
func bytesAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
