package fuzz_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"testing"

	"github.com/shardlog/shardlog/index"
)

// indexSeeds returns valid index encodings: the golden file and a few Encode outputs.
func indexSeeds(f *testing.F) [][]byte {
	golden, err := os.ReadFile("../index/testdata/v1.idx")
	if err != nil {
		f.Fatal(err)
	}
	m := index.Meta{BaseOffset: 7, NextOffset: 107, End: 9000, FirstTimeMs: 100, LastTimeMs: 120}
	return [][]byte{
		golden,
		index.Encode(index.Meta{}, nil),
		index.Encode(index.Meta{BaseOffset: 1 << 40, NextOffset: 1 << 40, End: 28}, nil),
		index.Encode(m, []index.Entry{{Offset: 7, Position: 28, TimeMs: 100}}),
		index.Encode(m, []index.Entry{
			{Offset: 7, Position: 28, TimeMs: 100},
			{Offset: 40, Position: 4200, TimeMs: 100},
			{Offset: 80, Position: 8400, TimeMs: 120},
		}),
	}
}

// FuzzIndexDecode checks index.Decode on arbitrary bytes: it never panics; whatever it
// accepts re-encodes to the same bytes and seeks like a linear scan; and a truncated or
// bit-flipped copy of an accepted input is rejected. Each input is also tried with its
// checksum fixed up, so that the fuzzer reaches the checks behind the checksum.
func FuzzIndexDecode(f *testing.F) {
	for _, b := range indexSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkIndexDecode(t, b)
		if len(b) >= 4 {
			checkIndexDecode(t, indexWithFixedCRC(b))
		}
	})
}

func indexWithFixedCRC(b []byte) []byte {
	b = bytes.Clone(b)
	body := b[:len(b)-4]
	binary.LittleEndian.PutUint32(b[len(body):], crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
	return b
}

func checkIndexDecode(t *testing.T, b []byte) {
	m, entries, err := index.Decode(b)
	if err != nil {
		return
	}
	if got := index.Encode(m, entries); !bytes.Equal(got, b) {
		t.Fatalf("Decode then Encode changed the bytes:\n in  %x\n out %x", b, got)
	}
	checkIndexSeeks(t, m, entries)
	checkIndexDamageRejected(t, b)
}

// checkIndexSeeks builds an index from the decoded entries (all kept) and compares its seeks
// with a linear scan.
func checkIndexSeeks(t *testing.T, m index.Meta, entries []index.Entry) {
	x := index.New(m.BaseOffset, 1)
	for _, e := range entries {
		x.Add(e)
	}
	if x.Len() != len(entries) {
		t.Fatalf("index of %d decoded entries has %d", len(entries), x.Len())
	}
	for _, e := range entries {
		for _, off := range []uint64{e.Offset - 1, e.Offset, e.Offset + 1} {
			want := entries[0]
			for _, k := range entries {
				if k.Offset <= off {
					want = k
				}
			}
			if got, _ := x.Seek(off); got != want {
				t.Fatalf("Seek(%d) = %v, linear scan %v", off, got, want)
			}
		}
		for _, ms := range []int64{e.TimeMs - 1, e.TimeMs, e.TimeMs + 1} {
			want := entries[0]
			for _, k := range entries {
				if k.TimeMs < ms {
					want = k
				}
			}
			if got, _ := x.SeekTime(ms); got != want {
				t.Fatalf("SeekTime(%d) = %v, linear scan %v", ms, got, want)
			}
		}
	}
}

// checkIndexDamageRejected cuts and bit-flips a valid encoding: every result must be rejected.
// Long inputs are sampled so that one fuzz input stays cheap.
func checkIndexDamageRejected(t *testing.T, b []byte) {
	step := max(1, len(b)/64)
	for n := 0; n < len(b); n += step {
		if _, _, err := index.Decode(b[:n]); err == nil {
			t.Fatalf("Decode accepted the input cut to %d of %d bytes", n, len(b))
		}
	}
	for bit := 0; bit < 8*len(b); bit += step {
		d := bytes.Clone(b)
		d[bit/8] ^= 1 << (bit % 8)
		if _, _, err := index.Decode(d); err == nil {
			t.Fatalf("Decode accepted the input with bit %d flipped", bit)
		}
	}
}
