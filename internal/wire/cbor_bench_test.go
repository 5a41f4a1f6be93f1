package wire_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/shardlog/shardlog/internal/wire"
)

// The benchmarks behind the decision in doc.go (# CBOR) to keep the
// hand-written CBOR codec: the shape-driven decoder into the tree against
// github.com/fxamacker/cbor/v2 decoding into any and into a typed struct, and
// the GetRecords record encoder against fxamacker encoding the same answer.
//
//	go test -run=NONE -bench='CBOR' -count=6 ./internal/wire

// putRecordsShape is the part of server's PutRecords input shape the parser
// sees.
var putRecordsShape = func() *wire.Shape {
	str := &wire.Shape{Kind: wire.String}
	entry := &wire.Shape{Kind: wire.Structure, NeedsMember: true, Members: []wire.Member{
		{Name: "Data", Shape: &wire.Shape{Kind: wire.Blob}},
		{Name: "ExplicitHashKey", Shape: str},
		{Name: "PartitionKey", Shape: str},
	}}
	return &wire.Shape{Kind: wire.Structure, NeedsMember: true, Members: []wire.Member{
		{Name: "Records", Shape: &wire.Shape{Kind: wire.List, Elem: entry}},
		{Name: "StreamName", Shape: str},
		{Name: "StreamARN", Shape: str},
	}}
}()

// putRecordsEntry and putRecordsInput are what a decoder into a typed struct
// fills.
type putRecordsEntry struct {
	Data            []byte
	ExplicitHashKey string
	PartitionKey    string
}

type putRecordsInput struct {
	Records    []putRecordsEntry
	StreamName string
	StreamARN  string
}

func cborPutRecordsBody(tb testing.TB, records, size int) []byte {
	in := putRecordsInput{StreamName: "bench-stream"}
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for i := range records {
		in.Records = append(in.Records, putRecordsEntry{Data: data, PartitionKey: "partition-key-" + strconv.Itoa(i)})
	}
	body, err := cbor.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

var benchSizes = []int{100, 1024}

func sizeName(n int) string {
	if n%1024 == 0 {
		return strconv.Itoa(n/1024) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

func BenchmarkCBORDecode(b *testing.B) {
	const records = 500
	anyMode, err := cbor.DecOptions{DefaultMapType: reflect.TypeFor[map[string]any]()}.DecMode()
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range benchSizes {
		body := cborPutRecordsBody(b, records, size)
		name := fmt.Sprintf("records=%d/size=%s", records, sizeName(size))
		b.Run(name+"/decoder=wire", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				bounds := wire.Bounds{MaxMessages: 10, MaxRendered: 1000}
				if _, ok := wire.ParseCBOR(body, putRecordsShape, &bounds); !ok {
					b.Fatal("declined")
				}
			}
		})
		b.Run(name+"/decoder=fxamacker-any", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var v any
				if err := anyMode.Unmarshal(body, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/decoder=fxamacker-struct", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var in putRecordsInput
				if err := cbor.Unmarshal(body, &in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type getRecordsRecord struct {
	SequenceNumber              string
	ApproximateArrivalTimestamp cbor.Tag // tag 1 around epoch milliseconds: fxamacker reads tag 1 as seconds, and will not register it
	Data                        []byte
	PartitionKey                string
}

type getRecordsOutput struct {
	Records            []getRecordsRecord
	NextShardIterator  string
	MillisBehindLatest int64
}

func BenchmarkCBOREncode(b *testing.B) {
	const records = 1000
	seq := []byte("49590338271490256608559692538361571095921575989136588898")
	key := []byte("partition-key-0001")
	em, err := cbor.EncOptions{}.EncMode()
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range benchSizes {
		data := bytes.Repeat([]byte{0xa5}, size)
		name := fmt.Sprintf("records=%d/size=%s", records, sizeName(size))
		b.Run(name+"/encoder=wire", func(b *testing.B) {
			b.SetBytes(int64(records * size))
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				enc := wire.NewCBORRecords(buf[:0], nil)
				for i := range records {
					enc.Record(seq, 1506440188749+int64(i), key, data)
				}
				buf = enc.Finish(wire.RecordsEnd{NextShardIterator: "AAAAAAAAAAE="})
			}
		})
		b.Run(name+"/encoder=fxamacker", func(b *testing.B) {
			b.SetBytes(int64(records * size))
			b.ReportAllocs()
			var buf bytes.Buffer
			enc := em.NewEncoder(&buf)
			out := getRecordsOutput{NextShardIterator: "AAAAAAAAAAE="}
			for b.Loop() {
				buf.Reset()
				out.Records = out.Records[:0]
				for i := range records { // as a RecordSink would: the bytes are valid only during the call
					out.Records = append(out.Records, getRecordsRecord{string(seq), cbor.Tag{Number: wire.CBORTagEpoch, Content: 1506440188749 + int64(i)}, data, string(key)})
				}
				if err := enc.Encode(out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
