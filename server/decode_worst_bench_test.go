package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/shardlog/shardlog/internal/wire"
)

// worstBodySize is the size of the hostile bodies: about the 7 MB of finding 2,
// under the default MaxRequestBytes.
const worstBodySize = 7_000_000

// repeatTo writes head, then unit as often as it fits in size bytes with tail,
// then tail. unit(i) may differ per element; sep goes between elements.
func repeatTo(size int, head, sep, tail string, unit func(i int) string) []byte {
	var b strings.Builder
	b.Grow(size)
	b.WriteString(head)
	for i := 0; ; i++ {
		u := unit(i)
		if b.Len()+len(sep)+len(u)+len(tail) > size {
			break
		}
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(u)
	}
	b.WriteString(tail)
	return []byte(b.String())
}

func same(s string) func(int) string { return func(int) string { return s } }

// cborRepeatTo is repeatTo for CBOR: a map head of one member, the member's
// name, an indefinite array or map of units, a break.
func cborRepeatTo(size int, name string, major byte, unit func(i int) []byte) []byte {
	b := wire.AppendCBORText(wire.AppendCBORHead(nil, wire.CBORMap, 1), name)
	b = append(b, major|wire.CBORIndefinite)
	for i := 0; ; i++ {
		u := unit(i)
		if len(b)+len(u)+1 > size {
			break
		}
		b = append(b, u...)
	}
	return append(b, wire.CBORBreak)
}

// worstCase is one hostile body and the operation it is sent to.
type worstCase struct {
	name, op, contentType string
	body                  []byte
}

// worstCases are the bodies that cost the old general path the most per byte,
// at worstBodySize, and the normal PutRecords body of that size to compare
// them with.
func worstCases(worstBodySize int) []worstCase {
	key := func(i int) string { return `"k` + strconv.Itoa(i) + `":"v"` }
	deep := "[" + strings.Repeat("[", wire.MaxDepth-2) + strings.Repeat("]", wire.MaxDepth-2) + "]"
	long := strings.Repeat("A", worstBodySize-100)
	cborText := func(i int) []byte { return wire.AppendCBORText(nil, "k"+strconv.Itoa(i)) }
	return []worstCase{
		{"json/normal-putrecords", "PutRecords", contentTypeJSON, putRecordsBody(500, worstBodySize/500*3/4-60)},
		{"json/many-keys", "PutRecords", contentTypeJSON, repeatTo(worstBodySize, "{", ",", "}", key)},
		{"json/many-map-keys", "AddTagsToStream", contentTypeJSON,
			repeatTo(worstBodySize, `{"StreamName":"s","Tags":{`, ",", "}}", key)},
		{"json/repeated-key", "PutRecords", contentTypeJSON,
			repeatTo(worstBodySize, "{", ",", "}", same(`"StreamName":"s"`))},
		{"json/deep-nesting", "PutRecords", contentTypeJSON, repeatTo(worstBodySize, `{"Records":[`, ",", "]}", same(deep))},
		{"json/array-of-zeros", "PutRecords", contentTypeJSON, repeatTo(worstBodySize, `{"Records":[`, ",", "]}", same("0"))},
		{"json/array-of-nulls", "PutRecords", contentTypeJSON,
			repeatTo(worstBodySize, `{"StreamName":"s","Records":[`, ",", "]}", same("null"))},
		{"json/array-of-empty-objects", "PutRecords", contentTypeJSON,
			repeatTo(worstBodySize, `{"StreamName":"s","Records":[`, ",", "]}", same("{}"))},
		{"json/many-small-records", "PutRecords", contentTypeJSON,
			repeatTo(worstBodySize, `{"StreamName":"s","Records":[`, ",", "]}", same(`{"Data":"","PartitionKey":"k"}`))},
		{"json/list-of-strings", "RemoveTagsFromStream", contentTypeJSON,
			repeatTo(worstBodySize, `{"StreamName":"s","TagKeys":[`, ",", "]}", same(`""`))},
		{"json/long-string", "PutRecords", contentTypeJSON, []byte(`{"StreamName":"` + long + `"}`)},
		{"json/long-escaped-string", "PutRecords", contentTypeJSON,
			repeatTo(worstBodySize, `{"StreamName":"`, "", `"}`, same(`\u00e9`))},
		{"json/long-data", "PutRecords", contentTypeJSON,
			[]byte(`{"StreamName":"s","Records":[{"Data":"` + long[:len(long)/4*4] + `","PartitionKey":"k"}]}`)},
		{"cbor/normal-putrecords", "PutRecords", contentTypeCBOR, cborPutRecordsBody(500, worstBodySize/500-40)},
		{"cbor/many-keys", "PutRecords", contentTypeCBOR, cborManyKeys(worstBodySize)},
		{"cbor/many-map-keys", "AddTagsToStream", contentTypeCBOR, cborRepeatTo(worstBodySize, "Tags", wire.CBORMap,
			func(i int) []byte { return wire.AppendCBORText(cborText(i), "v") })},
		{"cbor/list-of-strings", "RemoveTagsFromStream", contentTypeCBOR, cborRepeatTo(worstBodySize, "TagKeys", wire.CBORArray,
			func(int) []byte { return []byte{0x60} })}, // empty text strings
		{"cbor/array-of-zeros", "PutRecords", contentTypeCBOR, cborRepeatTo(worstBodySize, "Records", wire.CBORArray, func(int) []byte { return []byte{0} })},
		{"cbor/array-of-nulls", "PutRecords", contentTypeCBOR, cborRepeatTo(worstBodySize, "Records", wire.CBORArray, func(int) []byte { return []byte{wire.CBORNull} })},
		{"cbor/array-of-empty-maps", "PutRecords", contentTypeCBOR, cborRepeatTo(worstBodySize, "Records", wire.CBORArray, func(int) []byte { return []byte{wire.CBORMap} })},
		{"cbor/deep-nesting", "PutRecords", contentTypeCBOR, cborRepeatTo(worstBodySize, "Records", wire.CBORArray, func(int) []byte {
			return append(append([]byte{}, strings.Repeat("\x81", wire.MaxDepth-2)...), 0)
		})},
		{"cbor/long-bytes", "PutRecords", contentTypeCBOR, wire.AppendCBORBytes(wire.AppendCBORText(wire.AppendCBORHead(nil, wire.CBORMap, 1), "StreamName"), []byte(long))},
	}
}

// cborManyKeys is a map of as many members, unknown and null, as fit in size.
func cborManyKeys(size int) []byte {
	b := []byte{wire.CBORMap | wire.CBORIndefinite}
	for i := 0; len(b) < size-16; i++ {
		b = append(wire.AppendCBORText(b, "k"+strconv.Itoa(i)), wire.CBORNull)
	}
	return append(b, wire.CBORBreak)
}

// cborPutRecordsBody builds a PutRecords body as the Java SDKs write it.
func cborPutRecordsBody(records, size int) []byte {
	b := wire.AppendCBORHead(nil, wire.CBORMap, 2)
	b = wire.AppendCBORText(b, "StreamName")
	b = wire.AppendCBORText(b, "bench-stream")
	b = wire.AppendCBORText(b, "Records")
	b = wire.AppendCBORHead(b, wire.CBORArray, uint64(records))
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for i := range records {
		b = wire.AppendCBORHead(b, wire.CBORMap, 2)
		b = wire.AppendCBORText(b, "Data")
		b = wire.AppendCBORBytes(b, data)
		b = wire.AppendCBORText(b, "PartitionKey")
		b = wire.AppendCBORText(b, "partition-key-"+strconv.Itoa(i))
	}
	return b
}

// BenchmarkDecode_Worst decodes each hostile body through the general path,
// as the server does before any authentication, and the normal PutRecords
// body of the same size through both paths. Compare B/op and ns/op with
// normal-putrecords:
//
//	go test -run=NONE -bench=Decode_Worst -benchtime=5x ./server
func BenchmarkDecode_Worst(b *testing.B) {
	for _, tc := range worstCases(worstBodySize) {
		if len(tc.body) == 0 {
			continue
		}
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.body)))
			b.ReportAllocs()
			for b.Loop() {
				DecodeRequest(tc.op, tc.contentType, tc.body, Options{})
			}
		})
	}
	body := putRecordsBody(500, worstBodySize/500*3/4-60)
	b.Run("json/normal-putrecords-fast", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := DecodePutRecordsFast(body, Options{}); !ok {
				b.Fatal("declined")
			}
		}
	})
}
