package kinesis

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/shardlog/shardlog/internal/testutil"
)

// stepValue is 2^counterShift, the step AppendNextDecimal adds.
func stepValue() uint192 {
	var s uint192
	s.setField(counterShift, 1, 1)
	return s
}

// requireNext checks AppendNextDecimal against the exact conversion of x + step.
func requireNext(t *testing.T, x uint192) {
	t.Helper()
	prev := x.appendDecimal(nil)
	want := string(x.add(stepValue()).appendDecimal(nil))
	if got := string(AppendNextDecimal([]byte("pre"), prev)); got != "pre"+want {
		t.Fatalf("AppendNextDecimal(%s) = %s, want pre%s", prev, got, want)
	}
}

func TestCounterStep_Is2ToCounterShift(t *testing.T) {
	want := new(big.Int).Lsh(big.NewInt(1), counterShift).String()
	if counterStep != want {
		t.Fatalf("counterStep = %s, want 2^%d = %s", counterStep, counterShift, want)
	}
}

func TestAppendNextDecimal_Random(t *testing.T) {
	r := testutil.Rand(t)
	n := 50000
	if testing.Short() {
		n = 5000
	}
	limit := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 192), stepValue().big()) // x + step must fit
	for range n {
		x := randUint192(r)
		if x.big().Cmp(limit) >= 0 {
			continue
		}
		requireNext(t, x)
	}
}

// TestAppendNextDecimal_Carries starts just below every power of ten from 10^25 up, so that
// adding the step carries through every digit above it, and through some of them.
func TestAppendNextDecimal_Carries(t *testing.T) {
	r := testutil.Rand(t)
	step := stepValue().big()
	ten := big.NewInt(10)
	for k := 1; k <= 57; k++ {
		pow := new(big.Int).Exp(ten, big.NewInt(int64(k)), nil)
		for range 200 {
			// pow - d for d in [1, step]: the sum reaches pow or passes it, carrying out of
			// the digits of pow - d (when pow - d has k digits) into a new one.
			d := randBelow(r, step)
			d.Add(d, big.NewInt(1))
			x := new(big.Int).Sub(pow, d)
			if x.Sign() < 0 {
				continue
			}
			requireNext(t, fromBig(t, x))
			// Nines above a random cut: a carry that runs through only some of them.
			cut := new(big.Int).Exp(ten, big.NewInt(int64(r.IntN(k+1))), nil)
			y := new(big.Int).Sub(pow, new(big.Int).Add(randBelow(r, cut), big.NewInt(1)))
			requireNext(t, fromBig(t, y))
		}
	}
}

func TestAppendNextDecimal_SequenceNumbers(t *testing.T) {
	r := testutil.Rand(t)
	for range 20000 {
		n := SequenceNumber{
			ShardCreatedSec: r.Int64N(MaxCreatedSec),
			ShardIndex:      r.Int32(),
			Counter:         r.Uint64() >> r.UintN(64) >> 1,
			TimeSec:         r.Int64N(1 << 36),
		}
		next := n
		next.Counter++
		if !next.Follows(n) {
			t.Fatalf("%+v.Follows(%+v) = false", next, n)
		}
		if got, want := string(AppendNextDecimal(nil, n.AppendDecimal(nil))), next.String(); got != want {
			t.Fatalf("AppendNextDecimal(%s) = %s, want %s (%+v)", n, got, want, next)
		}
	}
}

func TestSequenceNumber_Follows(t *testing.T) {
	prev := SequenceNumber{ShardCreatedSec: 1613588284, ShardIndex: 3, Counter: 41, TimeSec: 1613588300}
	tests := []struct {
		name string
		edit func(*SequenceNumber)
		want bool
	}{
		{"next counter", func(n *SequenceNumber) { n.Counter++ }, true},
		{"same counter", func(*SequenceNumber) {}, false},
		{"counter two on", func(n *SequenceNumber) { n.Counter += 2 }, false},
		{"other second", func(n *SequenceNumber) { n.Counter++; n.TimeSec++ }, false},
		{"other shard", func(n *SequenceNumber) { n.Counter++; n.ShardIndex++ }, false},
		{"other creation", func(n *SequenceNumber) { n.Counter++; n.ShardCreatedSec++ }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := prev
			tt.edit(&n)
			if got := n.Follows(prev); got != tt.want {
				t.Fatalf("%+v.Follows(%+v) = %v, want %v", n, prev, got, tt.want)
			}
		})
	}
	wrapped := SequenceNumber{Counter: 1<<64 - 1}
	if (SequenceNumber{}).Follows(wrapped) {
		t.Fatalf("counter 0 follows counter 2^64-1")
	}
}

// randBelow returns a number in [0, max): a random one of up to 192 bits, modulo max.
func randBelow(r *rand.Rand, max *big.Int) *big.Int {
	x := uint192{hi: r.Uint64(), mid: r.Uint64(), lo: r.Uint64()}.big()
	return x.Mod(x, max)
}

func fromBig(t *testing.T, x *big.Int) uint192 {
	t.Helper()
	v, ok := parseUint192(x.String())
	if !ok {
		t.Fatalf("parseUint192(%s) failed", x)
	}
	return v
}

func BenchmarkAppendNextDecimal(b *testing.B) {
	n := SequenceNumber{ShardCreatedSec: 1613588284, ShardIndex: 3, Counter: 123456789, TimeSec: 1613588300}
	prev := n.AppendDecimal(nil)
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendNextDecimal(buf[:0], prev)
		prev, buf = buf, prev
	}
}
