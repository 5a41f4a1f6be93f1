package fuzz_test

import (
	"bytes"
	"crypto/md5"
	"errors"
	"testing"

	"github.com/shardlog/shardlog/kpl"
)

// minRecordBytes is the fewest body bytes a user record takes: the records field's tag and
// length, partition_key_index's tag and value, data's tag and length.
const minRecordBytes = 6

// kplSeeds returns aggregates of a few shapes, and bodies that are not aggregates.
func kplSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, recs := range [][]kpl.Record{
		{{PartitionKey: "k", Data: []byte("x")}},
		{{PartitionKey: "a", Data: []byte("one")}, {PartitionKey: "b", ExplicitHashKey: "340282366920938463463374607431768211455", Data: nil}, {PartitionKey: "a", Data: bytes.Repeat([]byte("z"), 300)}},
	} {
		b, err := kpl.Aggregate(recs)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return append(seeds, []byte("an ordinary record"), kpl.Magic[:], []byte{0x0a, 0x01, 'k', 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00})
}

// FuzzDeaggregate checks kpl.Deaggregate on arbitrary bytes, as they are and wrapped as an
// aggregate with the right magic and MD5 (so that the fuzzer reaches the protobuf decoder
// behind the checksum): it never panics; it returns user records or an error, never both;
// the records it returns are bounded by the input's size; and they aggregate again into a
// record that deaggregates to the same user records.
func FuzzDeaggregate(f *testing.F) {
	for _, b := range kplSeeds(f) {
		f.Add(b)
		if len(b) > 20 {
			f.Add(b[4 : len(b)-md5.Size]) // the body alone, wrapped by the target
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDeaggregate(t, b)
		checkDeaggregate(t, wrapAggregate(b))
	})
}

func wrapAggregate(body []byte) []byte {
	sum := md5.Sum(body)
	return append(append(append([]byte{}, kpl.Magic[:]...), body...), sum[:]...)
}

func checkDeaggregate(t *testing.T, b []byte) {
	recs, err := kpl.Deaggregate(b)
	if err != nil {
		if recs != nil {
			t.Fatalf("Deaggregate: %d records and error %v", len(recs), err)
		}
		if !errors.Is(err, kpl.ErrNotAggregated) && !errors.Is(err, kpl.ErrChecksum) && !errors.Is(err, kpl.ErrMalformed) {
			t.Fatalf("Deaggregate: error %v matches none of the package's", err)
		}
		return
	}
	if limit := (len(b) - 20) / minRecordBytes; len(recs) > limit {
		t.Fatalf("Deaggregate(%d bytes) = %d records, more than %d", len(b), len(recs), limit)
	}
	if len(recs) == 0 {
		return // an aggregate of no records, which Aggregate refuses to write
	}
	again, err := kpl.Aggregate(recs)
	if err != nil {
		t.Fatalf("Aggregate(%d records): %v", len(recs), err)
	}
	back, err := kpl.Deaggregate(again)
	if err != nil {
		t.Fatalf("Deaggregate(Aggregate(records)): %v", err)
	}
	if len(back) != len(recs) {
		t.Fatalf("round trip: %d records, want %d", len(back), len(recs))
	}
	for i := range recs {
		if back[i].PartitionKey != recs[i].PartitionKey || back[i].ExplicitHashKey != recs[i].ExplicitHashKey || !bytes.Equal(back[i].Data, recs[i].Data) {
			t.Fatalf("round trip: record %d = %+v, want %+v", i, back[i], recs[i])
		}
	}
}
