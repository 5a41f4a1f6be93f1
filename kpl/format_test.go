package kpl_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kpl"
)

// maxHashKey is 2^128-1, an explicit hash key at the top of the hash key space.
const maxHashKey = "340282366920938463463374607431768211455"

// golden is an aggregate written out by hand from aggregation-format.md, field by field, the
// way the KPL lays it out (tables first, then the records, each table entry once):
//
//	partition_key_table     = ["pk", "other"]
//	explicit_hash_key_table = [maxHashKey]
//	records = [{0, data "hi"}, {1, hash key 0, data ""}, {0, data "three"}]
var golden = concat(
	"f3899ac2",          // magic
	"0a02", hexOf("pk"), // partition_key_table[0]
	"0a05", hexOf("other"), // partition_key_table[1]
	"1227", hexOf(maxHashKey), // explicit_hash_key_table[0], 39 bytes
	"1a06", "0800", "1a02", hexOf("hi"), // records[0]: partition_key_index 0, data
	"1a06", "0801", "1000", "1a00", // records[1]: partition_key_index 1, explicit_hash_key_index 0, empty data
	"1a09", "0800", "1a05", hexOf("three"), // records[2]
	"ebec5e0bdc02f37313a0db8d0c5b7c5e", // MD5 of the protobuf bytes, by Python's hashlib
)

var goldenRecords = []kpl.Record{
	{PartitionKey: "pk", Data: []byte("hi")},
	{PartitionKey: "other", ExplicitHashKey: maxHashKey, Data: []byte{}},
	{PartitionKey: "pk", Data: []byte("three")},
}

func hexOf(s string) string { return hex.EncodeToString([]byte(s)) }

func concat(parts ...string) []byte {
	b, err := hex.DecodeString(strings.Join(parts, ""))
	if err != nil {
		panic(err)
	}
	return b
}

func TestDeaggregate_Golden(t *testing.T) {
	got, err := kpl.Deaggregate(golden)
	require.NoError(t, err)
	requireRecords(t, goldenRecords, got)
}

func TestAggregate_Golden(t *testing.T) {
	got, err := kpl.Aggregate(goldenRecords)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(golden), hex.EncodeToString(got))
}

// requireRecords compares user records, taking nil and empty Data as equal.
func requireRecords(t *testing.T, want, got []kpl.Record) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, want[i].PartitionKey, got[i].PartitionKey, "record %d partition key", i)
		require.Equal(t, want[i].ExplicitHashKey, got[i].ExplicitHashKey, "record %d explicit hash key", i)
		require.True(t, bytes.Equal(want[i].Data, got[i].Data), "record %d data = %q, want %q", i, got[i].Data, want[i].Data)
	}
}

// message builds protobuf bytes with protowire, field by field, independently of the
// package's encoder: the tests can lay fields out as other writers might.
type message []byte

func (m message) str(num protowire.Number, s string) message {
	m = protowire.AppendTag(m, num, protowire.BytesType)
	return protowire.AppendString(m, s)
}

func (m message) bytes(num protowire.Number, b []byte) message {
	m = protowire.AppendTag(m, num, protowire.BytesType)
	return protowire.AppendBytes(m, b)
}

func (m message) varint(num protowire.Number, v uint64) message {
	m = protowire.AppendTag(m, num, protowire.VarintType)
	return protowire.AppendVarint(m, v)
}

func (m message) fixed32(num protowire.Number, v uint32) message {
	m = protowire.AppendTag(m, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(m, v)
}

// wrap makes an aggregated record of a protobuf body: magic, body, MD5.
func wrap(body []byte) []byte {
	sum := md5.Sum(body)
	return append(append(append([]byte{}, kpl.Magic[:]...), body...), sum[:]...)
}

// TestDeaggregate_OtherLayouts decodes bodies laid out as protobuf allows but this
// package's encoder does not write: records before the tables, unknown fields, tags, a
// repeated scalar (the last wins), keys shared and not shared.
func TestDeaggregate_OtherLayouts(t *testing.T) {
	rec := func(key uint64, data string) message { return message{}.varint(1, key).bytes(3, []byte(data)) }
	tests := []struct {
		name string
		body message
		want []kpl.Record
	}{
		{"records-before-tables",
			message{}.bytes(3, rec(1, "x")).bytes(3, rec(0, "y")).str(1, "a").str(1, "b"),
			[]kpl.Record{{PartitionKey: "b", Data: []byte("x")}, {PartitionKey: "a", Data: []byte("y")}}},
		{"duplicate-table-entries",
			message{}.str(1, "k").str(1, "k").bytes(3, rec(1, "x")).bytes(3, rec(0, "y")),
			[]kpl.Record{{PartitionKey: "k", Data: []byte("x")}, {PartitionKey: "k", Data: []byte("y")}}},
		{"unknown-fields-skipped",
			message{}.varint(9, 7).str(1, "k").fixed32(10, 1).bytes(3, rec(0, "x").varint(15, 3).str(16, "?")),
			[]kpl.Record{{PartitionKey: "k", Data: []byte("x")}}},
		{"tags-dropped",
			message{}.str(1, "k").bytes(3, rec(0, "x").bytes(4, message{}.str(1, "tag").str(2, "v")).bytes(4, message{}.str(1, "only-key"))),
			[]kpl.Record{{PartitionKey: "k", Data: []byte("x")}}},
		{"last-scalar-wins",
			message{}.str(1, "a").str(1, "b").bytes(3, message{}.varint(1, 0).bytes(3, []byte("old")).varint(1, 1).bytes(3, []byte("new"))),
			[]kpl.Record{{PartitionKey: "b", Data: []byte("new")}}},
		{"explicit-hash-keys",
			message{}.str(1, "k").str(2, "0").str(2, maxHashKey).bytes(3, rec(0, "x").varint(2, 1)).bytes(3, rec(0, "y").varint(2, 0)).bytes(3, rec(0, "z")),
			[]kpl.Record{{PartitionKey: "k", ExplicitHashKey: maxHashKey, Data: []byte("x")}, {PartitionKey: "k", ExplicitHashKey: "0", Data: []byte("y")}, {PartitionKey: "k", Data: []byte("z")}}},
		{"no-records", message{}.str(1, "k"), []kpl.Record{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := kpl.Deaggregate(wrap(tt.body))
			require.NoError(t, err)
			requireRecords(t, tt.want, got)
		})
	}
}

// TestDeaggregate_NotAggregate: records that are not aggregates, and records with the magic
// whose trailer or body is wrong, are refused with the error that says why, and the offset
// of the fault; the caller then uses them as ordinary records, as the KCL does.
func TestDeaggregate_NotAggregate(t *testing.T) {
	good := wrap(message{}.str(1, "k").bytes(3, message{}.varint(1, 0).bytes(3, []byte("x"))))
	flipped := bytes.Clone(good)
	flipped[len(flipped)-1] ^= 1
	body := func(m message) []byte { return wrap(m) }
	tests := []struct {
		name    string
		data    []byte
		want    error
		wantOff int // offset in a *FormatError; -1 for none
		reason  string
	}{
		{"empty", nil, kpl.ErrNotAggregated, -1, ""},
		{"plain-text", []byte("hello, world: an ordinary record"), kpl.ErrNotAggregated, -1, ""},
		{"magic-only", kpl.Magic[:], kpl.ErrNotAggregated, -1, ""},
		{"magic-and-trailer-of-empty-body", wrap(nil), kpl.ErrNotAggregated, -1, ""},
		{"three-bytes-of-magic", append([]byte{0xF3, 0x89, 0x9A, 0xC3}, good[4:]...), kpl.ErrNotAggregated, -1, ""},
		{"bad-md5", flipped, kpl.ErrChecksum, len(good) - md5.Size, "trailer"},
		{"truncated-varint", body(message{0x0a, 0x85}), kpl.ErrMalformed, 4, "field 1"},
		{"length-past-end", body(message{0x0a, 0x05, 'a'}), kpl.ErrMalformed, 4, "field 1"},
		{"field-number-zero", body(message{0x00, 0x01}), kpl.ErrMalformed, 4, "field tag"},
		{"end-group-alone", body(message{0x0c}), kpl.ErrMalformed, 4, "field 1 (wire type 4)"},
		{"key-index-out-of-range", body(message{}.str(1, "k").bytes(3, message{}.varint(1, 1).bytes(3, []byte("x")))), kpl.ErrMalformed, 7, "partition_key_index 1, table of 1"},
		{"hash-index-out-of-range", body(message{}.str(1, "k").bytes(3, message{}.varint(1, 0).varint(2, 0).bytes(3, []byte("x")))), kpl.ErrMalformed, 7, "explicit_hash_key_index 0, table of 0"},
		{"no-key-index", body(message{}.str(1, "k").bytes(3, message{}.bytes(3, []byte("x")))), kpl.ErrMalformed, 7, "no partition_key_index"},
		{"no-data", body(message{}.str(1, "k").bytes(3, message{}.varint(1, 0))), kpl.ErrMalformed, 7, "no data"},
		{"tag-without-key", body(message{}.str(1, "k").bytes(3, message{}.varint(1, 0).bytes(3, nil).bytes(4, message{}.str(2, "v")))), kpl.ErrMalformed, 13, "tag without a key"},
		{"bad-record-body", body(message{}.str(1, "k").bytes(3, message{0x08})), kpl.ErrMalformed, 9, "field 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := kpl.Deaggregate(tt.data)
			require.ErrorIs(t, err, tt.want, "records %v", got)
			require.Nil(t, got)
			var fe *kpl.FormatError
			if tt.wantOff < 0 {
				require.False(t, errors.As(err, &fe), "%v is a FormatError", err)
				return
			}
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tt.wantOff, fe.Offset, "FormatError.Offset: %v", err)
			require.Contains(t, err.Error(), tt.reason)
		})
	}
}

func TestAggregate_NoRecords(t *testing.T) {
	_, err := kpl.Aggregate(nil)
	require.ErrorIs(t, err, kpl.ErrNoRecords)
}

// TestBuilder_Size adds random records and checks, after every one, that SizeWith foretold
// the size, and now and then that Size is the length of Bytes; and that the result deaggregates to the input.
func TestBuilder_Size(t *testing.T) {
	rng := testutil.Rand(t)
	var b kpl.Builder
	for round := range 3 {
		var want []kpl.Record
		for i := range 300 {
			r := randomRecord(rng, i)
			predicted := b.SizeWith(r)
			b.Add(r)
			want = append(want, r)
			require.Equal(t, predicted, b.Size(), "round %d: SizeWith(record %d) = %d, Size after Add %d", round, i, predicted, b.Size())
			if i%17 == 0 { // Bytes hashes the whole aggregate: not after every record
				out, err := b.Bytes()
				require.NoError(t, err)
				require.Equal(t, b.Size(), len(out), "round %d: Size() after %d records", round, i+1)
			}
		}
		out, err := b.Bytes()
		require.NoError(t, err)
		require.Equal(t, b.Size(), len(out), "round %d: Size() after all records", round)
		got, err := kpl.Deaggregate(out)
		require.NoError(t, err)
		requireRecords(t, want, got)
		b.Reset()
		require.Zero(t, b.Len())
	}
}

// randomRecord makes user records whose keys repeat now and then, with data of sizes that
// cross the varint length boundaries (127/128 bytes, 16383/16384).
func randomRecord(rng *rand.Rand, i int) kpl.Record {
	sizes := []int{0, 1, 127, 128, 200, 16383, 16384}
	r := kpl.Record{
		PartitionKey: fmt.Sprintf("key-%d", rng.IntN(40)),
		Data:         bytes.Repeat([]byte{byte(i)}, sizes[rng.IntN(len(sizes))]),
	}
	if rng.IntN(3) == 0 {
		r.ExplicitHashKey = fmt.Sprint(rng.Uint64())
	}
	return r
}
