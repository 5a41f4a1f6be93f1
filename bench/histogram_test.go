package bench_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/bench"
	"github.com/shardlog/shardlog/internal/testutil"
)

func TestHistogram_Empty(t *testing.T) {
	var h bench.Histogram
	require.Zero(t, h.Count())
	require.Zero(t, h.Quantile(0.5))
	require.Zero(t, h.Max())
	require.Zero(t, h.Mean())
	require.Equal(t, bench.Latency{}, h.Summary())
}

func TestHistogram_Exact(t *testing.T) {
	tests := []struct {
		name   string
		values []time.Duration
		q      float64
		want   time.Duration
	}{
		{"one", []time.Duration{7}, 0.5, 7},
		{"small-values-are-exact", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.5, 5},
		{"p90", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9, 9},
		{"p100-is-max", []time.Duration{1, 2, 3, 400 * time.Millisecond}, 1, 400 * time.Millisecond},
		{"q0-is-min", []time.Duration{255, 3, 100}, 0, 3},
		{"negative-counts-as-zero", []time.Duration{-5}, 0.5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := new(bench.Histogram)
			for _, v := range tt.values {
				h.Record(v)
			}
			require.Equal(t, tt.want, h.Quantile(tt.q), "Quantile(%v)", tt.q)
		})
	}
}

func TestHistogram_Clamps(t *testing.T) {
	h := new(bench.Histogram)
	h.Record(24 * time.Hour)
	require.Equal(t, time.Duration(1<<40-1), h.Max(), "a value past 2^40 ns is recorded as the largest one")
	require.Equal(t, h.Max(), h.Quantile(0.5))
}

// TestHistogram_Random compares quantiles with the exact ones of sorted random values: each
// must be within 1/128 above the exact value (the bucket width), never below it.
func TestHistogram_Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 1))
	for round := range 20 {
		n := 1 + rng.IntN(5000)
		values := make([]time.Duration, n)
		h, a, b := new(bench.Histogram), new(bench.Histogram), new(bench.Histogram)
		var sum time.Duration
		for i := range values {
			// Log-uniform from 1 ns to about 17 minutes, as latencies spread.
			values[i] = time.Duration(float64(int64(1)<<rng.IntN(40)) * (1 + rng.Float64()) / 2)
			sum += values[i]
			h.Record(values[i])
			if i%2 == 0 {
				a.Record(values[i])
			} else {
				b.Record(values[i])
			}
		}
		a.Merge(b)
		slices.Sort(values)
		for _, q := range []float64{0, 0.01, 0.5, 0.9, 0.99, 0.999, 1} {
			rank := max(1, int(math.Ceil(q*float64(n))))
			exact := values[min(rank, n)-1]
			got := h.Quantile(q)
			require.GreaterOrEqual(t, got, exact, "round %d: Quantile(%v) of %d values", round, q, n)
			require.LessOrEqual(t, float64(got-exact), float64(exact)/128+1, "round %d: Quantile(%v) = %v, exact %v", round, q, got, exact)
			require.Equal(t, got, a.Quantile(q), "round %d: merged halves disagree at %v", round, q)
		}
		require.Equal(t, uint64(n), h.Count())
		require.Equal(t, values[n-1], h.Max())
		require.Equal(t, sum/time.Duration(n), h.Mean())
		require.Equal(t, h.Summary(), a.Summary())
	}
}

func BenchmarkHistogram_Record(b *testing.B) {
	h := new(bench.Histogram)
	d := time.Duration(1)
	b.ReportAllocs()
	for b.Loop() {
		h.Record(d)
		d = (d*7 + 3) & (1<<36 - 1)
	}
}
