package index

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edsrzf/mmap-go"
	"github.com/stretchr/testify/require"
)

// TestLayout pins the sizes and field positions drawn in format.go.
func TestLayout(t *testing.T) {
	tests := []struct {
		name      string
		got, want int
	}{
		{"offVersion", offVersion, 4},
		{"offReserved", offReserved, 6},
		{"offBaseOffset", offBaseOffset, 8},
		{"offNextOffset", offNextOffset, 16},
		{"offEnd", offEnd, 24},
		{"offFirstTimeMs", offFirstTimeMs, 32},
		{"offLastTimeMs", offLastTimeMs, 40},
		{"offCount", offCount, 48},
		{"offPad", offPad, 52},
		{"headerSize", headerSize, 56},
		{"entrySize", entrySize, 16},
		{"minFileSize", minFileSize, 60},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	if headerSize%8 != 0 || entrySize%8 != 0 {
		t.Errorf("entries are not 8-byte aligned: header %d, entry %d", headerSize, entrySize)
	}
}

// TestEncode_FieldPositions checks that each Meta field lands where the diagram says.
func TestEncode_FieldPositions(t *testing.T) {
	m := Meta{BaseOffset: 0x0102030405060708, NextOffset: 0x1112131415161718, End: 0x2122232425262728,
		FirstTimeMs: 0x3132333435363738, LastTimeMs: 0x4142434445464748}
	b := Encode(m, []Entry{{Offset: m.BaseOffset + 0x51525354, Position: 0x61626364, TimeMs: 0x7172737475767778}})
	require.Equal(t, magic, string(b[offMagic:offMagic+4]))
	require.Equal(t, uint16(version), le.Uint16(b[offVersion:]))
	require.Equal(t, m.BaseOffset, le.Uint64(b[offBaseOffset:]))
	require.Equal(t, m.NextOffset, le.Uint64(b[offNextOffset:]))
	require.Equal(t, uint64(m.End), le.Uint64(b[offEnd:]))
	require.Equal(t, uint64(m.FirstTimeMs), le.Uint64(b[offFirstTimeMs:]))
	require.Equal(t, uint64(m.LastTimeMs), le.Uint64(b[offLastTimeMs:]))
	require.Equal(t, uint32(1), le.Uint32(b[offCount:]))
	require.Equal(t, uint32(0x51525354), le.Uint32(b[headerSize+entryOffOffset:]))
	require.Equal(t, uint32(0x61626364), le.Uint32(b[headerSize+entryOffPosition:]))
	require.Equal(t, uint64(0x7172737475767778), le.Uint64(b[headerSize+entryOffTimeMs:]))
	require.Len(t, b, headerSize+entrySize+crcSize)
}

// TestParse_CheckOrder checks that magic is reported before version, and version before
// checksum, when several are wrong at once.
func TestParse_CheckOrder(t *testing.T) {
	good := Encode(Meta{BaseOffset: 1, NextOffset: 2, End: 100}, []Entry{{Offset: 1, Position: 10}})
	damage := func(magicToo, versionToo bool) []byte {
		b := append([]byte(nil), good...)
		b[len(b)-1] ^= 0xff // checksum
		if versionToo {
			b[offVersion] = 0
		}
		if magicToo {
			b[0] = 'X'
		}
		return b
	}
	tests := []struct {
		name   string
		b      []byte
		reason string
	}{
		{"magic, version and checksum", damage(true, true), "bad magic"},
		{"version and checksum", damage(false, true), "version 0"},
		{"checksum", damage(false, false), "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(tt.b)
			var ce *CorruptionError
			require.True(t, errors.As(err, &ce), "parse error %v", err)
			require.True(t, strings.HasPrefix(ce.Reason, tt.reason), "reason %q, want prefix %q", ce.Reason, tt.reason)
		})
	}
}

func TestSearch(t *testing.T) {
	x := New(0, 1)
	for _, e := range []Entry{{10, 0, 5}, {20, 1, 5}, {30, 2, 7}, {40, 3, 9}} {
		x.Add(e)
	}
	raw := x.entries()
	n := len(raw) / entrySize
	for _, tt := range []struct {
		rel  uint32
		want int
	}{{0, 0}, {9, 0}, {10, 0}, {19, 0}, {20, 1}, {39, 2}, {40, 3}, {1 << 31, 3}} {
		if got := searchOffset(raw, n, tt.rel); got != tt.want {
			t.Errorf("searchOffset(%d) = %d, want %d", tt.rel, got, tt.want)
		}
	}
	for _, tt := range []struct {
		ms   int64
		want int
	}{{-1, 0}, {5, 0}, {6, 1}, {7, 1}, {8, 2}, {9, 2}, {10, 3}} {
		if got := searchTime(raw, n, tt.ms); got != tt.want {
			t.Errorf("searchTime(%d) = %d, want %d", tt.ms, got, tt.want)
		}
	}
}

func TestRepresentable(t *testing.T) {
	tests := []struct {
		base uint64
		e    Entry
		want bool
	}{
		{0, Entry{Offset: 0, Position: 0}, true},
		{5, Entry{Offset: 4, Position: 0}, false},
		{5, Entry{Offset: 5 + maxRelative, Position: maxPosition}, true},
		{5, Entry{Offset: 6 + maxRelative, Position: 0}, false},
		{0, Entry{Offset: 0, Position: maxPosition + 1}, false},
		{0, Entry{Offset: 0, Position: -1}, false},
	}
	for _, tt := range tests {
		if got := representable(tt.base, tt.e); got != tt.want {
			t.Errorf("representable(%d, %v) = %v, want %v", tt.base, tt.e, got, tt.want)
		}
	}
}

func TestEncode_PanicsOnUnrepresentable(t *testing.T) {
	require.Panics(t, func() { Encode(Meta{BaseOffset: 10}, []Entry{{Offset: 9}}) })
}

// TestCheck_FastPathAgrees checks that the fast consistency check (order, then the first and
// last entry) accepts exactly what the entry-by-entry check accepts.
func TestCheck_FastPathAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 20000 {
		m := Meta{BaseOffset: 10, NextOffset: 10 + r.Uint64N(8), End: r.Int64N(8), FirstTimeMs: r.Int64N(4), LastTimeMs: r.Int64N(8)}
		n := r.IntN(4)
		raw := make([]byte, 0, n*entrySize)
		for range n {
			raw = appendEntry(raw, m.BaseOffset, Entry{Offset: m.BaseOffset + r.Uint64N(8), Position: r.Int64N(8), TimeMs: r.Int64N(8)})
		}
		slow := true
		if m.NextOffset > m.BaseOffset && m.LastTimeMs >= m.FirstTimeMs {
			for i := range n {
				if checkEntry(m, raw, i) != nil {
					slow = false
				}
			}
			if fast := check(m, raw) == nil; fast != slow {
				t.Fatalf("check(%+v, %x) ok = %v, entry by entry ok = %v", m, raw, fast, slow)
			}
		}
	}
}

// TestParseGuarded_Fault maps a file, cuts it short under the mapping, and checks that
// parsing the mapping gives ErrFault instead of killing the process with SIGBUS.
func TestParseGuarded_Fault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.idx")
	raw := make([]byte, 0, 64*entrySize)
	for i := range 64 * 1024 { // 1 MiB of entries: several pages
		raw = appendEntry(raw, 0, Entry{Offset: uint64(i), Position: int64(i), TimeMs: 1})
	}
	m := Meta{NextOffset: 64 * 1024, End: 64 * 1024, FirstTimeMs: 1, LastTimeMs: 1}
	b := appendCRC(append(appendHeader(nil, m, len(raw)/entrySize), raw...))
	require.NoError(t, os.WriteFile(path, b, 0o644))

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	mm, err := mmap.Map(f, mmap.RDONLY, 0)
	require.NoError(t, err)
	defer mm.Unmap()
	require.NoError(t, os.Truncate(path, 0))

	_, _, err = parseGuarded(mm)
	require.ErrorIs(t, err, ErrFault)
}
