package kinesis

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shardlog/shardlog/internal/testutil"
)

func (x uint192) big() *big.Int {
	b := new(big.Int).SetUint64(x.hi)
	b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(x.mid))
	b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(x.lo))
	return b
}

func randUint192(r *rand.Rand) uint192 {
	x := uint192{hi: r.Uint64(), mid: r.Uint64(), lo: r.Uint64()}
	// Vary the size, so that short numbers and zero words are covered too.
	switch r.IntN(4) {
	case 0:
		x.hi = 0
	case 1:
		x.hi, x.mid = 0, 0
	case 2:
		x.hi, x.mid, x.lo = 0, 0, x.lo>>r.UintN(64)
	}
	return x
}

func TestUint192_AppendDecimal_MatchesBig(t *testing.T) {
	r := testutil.Rand(t)
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		x := randUint192(r)
		got := string(x.appendDecimal(nil))
		if want := x.big().String(); got != want {
			t.Fatalf("appendDecimal(%#x %#x %#x) = %s, want %s", x.hi, x.mid, x.lo, got, want)
		}
		back, ok := parseUint192(got)
		if !ok || back != x {
			t.Fatalf("parseUint192(%s) = %#v, %v, want %#v", got, back, ok, x)
		}
	}
}

func TestUint192_AppendDecimal_Edges(t *testing.T) {
	tests := []struct {
		x    uint192
		want string
	}{
		{uint192{}, "0"},
		{uint192{lo: 9}, "9"},
		{uint192{lo: chunkBase - 1}, "9999999999999999999"},
		{uint192{lo: chunkBase}, "10000000000000000000"},
		{uint192{lo: ^uint64(0)}, "18446744073709551615"},
		{uint192{mid: 1}, "18446744073709551616"},
		{uint192{hi: ^uint64(0), mid: ^uint64(0), lo: ^uint64(0)}, "6277101735386680763835789423207666416102355444464034512895"},
	}
	for _, tt := range tests {
		if got := string(tt.x.appendDecimal(nil)); got != tt.want {
			t.Errorf("appendDecimal(%#v) = %s, want %s", tt.x, got, tt.want)
		}
	}
}

func TestParseUint192_Rejects(t *testing.T) {
	tests := []struct {
		name string
		s    string
	}{
		{"empty", ""},
		{"sign", "-1"},
		{"plus", "+1"},
		{"space", " 1"},
		{"letter", "12a"},
		{"decimal point", "1.0"},
		{"exponent", "1e5"},
		{"2^192", "6277101735386680763835789423207666416102355444464034512896"},
		{"far too long", strings.Repeat("9", 130)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if x, ok := parseUint192(tt.s); ok {
				t.Errorf("parseUint192(%q) = %#v, true, want false", tt.s, x)
			}
		})
	}
	if x, ok := parseUint192(strings.Repeat("0", 200) + "7"); !ok || x != (uint192{lo: 7}) {
		t.Errorf("parseUint192(leading zeros, 7) = %#v, %v, want 7", x, ok)
	}
}

func TestUint192_Field_MatchesBig(t *testing.T) {
	r := testutil.Rand(t)
	mask := func(width uint) *big.Int {
		m := big.NewInt(1)
		m.Lsh(m, width)
		return m.Sub(m, big.NewInt(1))
	}
	for shift := uint(0); shift+1 <= 192; shift++ {
		for _, width := range []uint{1, 4, 8, 32, 36, 63, 64} {
			if shift+width > 192 {
				continue
			}
			x := randUint192(r)
			want := new(big.Int).Rsh(x.big(), shift)
			want.And(want, mask(width))
			if got := x.field(shift, width); got != want.Uint64() {
				t.Fatalf("field(%d, %d) of %#v = %#x, want %#x", shift, width, x, got, want.Uint64())
			}
			v := r.Uint64() & mask(width).Uint64()
			var y uint192
			y.setField(shift, width, v)
			wantSet := new(big.Int).Lsh(new(big.Int).SetUint64(v), shift)
			if y.big().Cmp(wantSet) != 0 {
				t.Fatalf("setField(%d, %d, %#x) = %#v, want %s", shift, width, v, y, wantSet)
			}
		}
	}
}
