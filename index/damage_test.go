package index_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/index"
)

// damageFixture returns the bytes of a small but realistic index file: 40 entries over a
// 160 KiB segment.
func damageFixture(t *testing.T) (index.Meta, []byte) {
	t.Helper()
	x := index.New(1000, 4096)
	var pos, ms int64 = 40, 1_700_000_000_000
	off := uint64(1000)
	for range 40 {
		x.Add(index.Entry{Offset: off, Position: pos, TimeMs: ms})
		off += 37
		pos += 4100
		ms += 3
	}
	m := index.Meta{BaseOffset: 1000, NextOffset: off, End: pos, FirstTimeMs: 1_700_000_000_000, LastTimeMs: ms}
	return m, index.Encode(m, entries(x))
}

// requireRejected checks that b, as bytes and as a file, is rejected as corrupt.
func requireRejected(t *testing.T, path string, b []byte, what string) {
	t.Helper()
	requireDecodeRejected(t, b, what)
	require.NoError(t, os.WriteFile(path, b, 0o644))
	requireOpenRejected(t, path, what)
}

func requireDecodeRejected(t *testing.T, b []byte, what string) {
	t.Helper()
	if _, _, err := index.Decode(b); err == nil {
		t.Fatalf("Decode(%s) accepted the bytes", what)
	} else {
		require.ErrorIs(t, err, index.ErrCorrupt, "Decode(%s)", what)
	}
}

func requireOpenRejected(t *testing.T, path string, what string) {
	t.Helper()
	x, _, err := index.Open(path)
	if err == nil {
		x.Close()
		t.Fatalf("Open(%s) accepted the file", what)
	}
	require.ErrorIs(t, err, index.ErrCorrupt, "Open(%s)", what)
}

func TestOpen_TruncatedAtEveryByte(t *testing.T) {
	_, good := damageFixture(t)
	path := filepath.Join(t.TempDir(), "x.idx")
	for n := 0; n < len(good); n++ {
		requireRejected(t, path, good[:n], "cut to "+strconv.Itoa(n)+" bytes")
	}
}

func TestOpen_ExtendedWithZeros(t *testing.T) {
	_, good := damageFixture(t)
	path := filepath.Join(t.TempDir(), "x.idx")
	for _, n := range []int{1, 4, 16, 4096} {
		b := append(bytes.Clone(good), make([]byte, n)...)
		requireRejected(t, path, b, "padded with "+strconv.Itoa(n)+" zeros")
	}
}

func TestOpen_BitFlips(t *testing.T) {
	_, good := damageFixture(t)
	path := filepath.Join(t.TempDir(), "x.idx")
	require.NoError(t, os.WriteFile(path, good, 0o644))
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	step := 1
	if testing.Short() {
		step = 7
	}
	for bit := 0; bit < len(good)*8; bit += step {
		what := "bit " + strconv.Itoa(bit) + " flipped"
		b := bytes.Clone(good)
		b[bit/8] ^= 1 << (bit % 8)
		requireDecodeRejected(t, b, what)
		_, err := f.WriteAt(b[bit/8:bit/8+1], int64(bit/8)) // flip the bit in place
		require.NoError(t, err)
		requireOpenRejected(t, path, what)
		_, err = f.WriteAt(good[bit/8:bit/8+1], int64(bit/8)) // and restore it
		require.NoError(t, err)
	}
	// The restored file is good again: the flips were what Open rejected.
	x, _, err := index.Open(path)
	require.NoError(t, err)
	require.NoError(t, x.Close())
}

// TestDecode_ConsistencyChecks re-encodes (so the checksum matches) files whose entries
// disagree with their Meta: the checksum cannot catch these, the consistency checks must.
func TestDecode_ConsistencyChecks(t *testing.T) {
	m := index.Meta{BaseOffset: 100, NextOffset: 200, End: 10000, FirstTimeMs: 50, LastTimeMs: 90}
	e := func(off uint64, pos, ms int64) index.Entry {
		return index.Entry{Offset: off, Position: pos, TimeMs: ms}
	}
	tests := []struct {
		name    string
		meta    func(m index.Meta) index.Meta
		entries []index.Entry
		reason  string
	}{
		{"offset at next offset", nil, []index.Entry{e(100, 0, 50), e(200, 10, 50)}, "not before next offset"},
		{"position at end", nil, []index.Entry{e(100, 0, 50), e(150, 10000, 50)}, "not before end"},
		{"time before first", nil, []index.Entry{e(100, 0, 49)}, "outside"},
		{"time after last", nil, []index.Entry{e(100, 0, 50), e(101, 10, 91)}, "outside"},
		{"zero time", nil, []index.Entry{e(100, 0, 0)}, "outside"},
		{"repeated offset", nil, []index.Entry{e(100, 0, 50), e(100, 10, 50)}, "offset 100 is not after"},
		{"repeated position", nil, []index.Entry{e(100, 0, 50), e(101, 0, 50)}, "position 0 is not after"},
		{"time backwards", nil, []index.Entry{e(100, 0, 60), e(101, 10, 55)}, "before the previous"},
		{"next before base", func(m index.Meta) index.Meta { m.NextOffset = 99; return m }, nil, "before base offset"},
		{"negative end", func(m index.Meta) index.Meta { m.End = -1; return m }, nil, "negative"},
		{"last time before first", func(m index.Meta) index.Meta { m.LastTimeMs = 49; return m }, nil, "before first time"},
		{"entries without records", func(m index.Meta) index.Meta { m.NextOffset = 100; return m }, []index.Entry{e(100, 0, 50)}, "no records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mm := m
			if tt.meta != nil {
				mm = tt.meta(m)
			}
			_, _, err := index.Decode(index.Encode(mm, tt.entries))
			require.ErrorIs(t, err, index.ErrCorrupt)
			require.ErrorContains(t, err, tt.reason)
		})
	}
}
