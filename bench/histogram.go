package bench

import (
	"math"
	"math/bits"
	"time"
)

// Bucket layout of a Histogram, the log-linear layout of HdrHistogram: values below
// subBuckets nanoseconds have a bucket each, and every power of two above that is cut into
// halfSub equal buckets, so no bucket is wider than 1/128 of the values it holds.
//
//	value (ns)           bucket width
//	[0, 256)             1
//	[256, 512)           2
//	[512, 1024)          4
//	[2^k, 2^(k+1))       2^(k-7)
const (
	subBits    = 8                                     // bits of a value kept, its leading one included
	subBuckets = 1 << subBits                          // buckets of the first, linear range
	halfSub    = subBuckets / 2                        // buckets per power of two above it
	maxExp     = 40                                    // values are clamped below 2^maxExp ns (about 18 minutes)
	numBuckets = subBuckets + (maxExp-subBits)*halfSub // every bucket up to the clamp
	maxValue   = 1<<maxExp - 1                         // the largest value recorded as itself
)

// Histogram records call latencies in log-linear buckets. A quantile read from it is off by
// less than 0.8 %, and Record is a few shifts and an increment, cheap enough for every call
// of a load generator. The zero value is empty and ready to use; it is about 35 KB, so keep
// it behind a pointer. It is not safe for concurrent use: give each goroutine its own and
// Merge them.
type Histogram struct {
	counts [numBuckets]uint64
	n      uint64
	sum    uint64 // of recorded (clamped) nanoseconds
	min    uint64
	max    uint64
}

// bucketOf returns the bucket of v nanoseconds (v <= maxValue).
func bucketOf(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	shift := bits.Len64(v) - subBits // >= 1: the leading one and subBits-1 bits below it stay
	top := v >> shift                // in [halfSub, subBuckets)
	return subBuckets + (shift-1)*halfSub + int(top-halfSub)
}

// bucketHigh returns the largest value that falls in bucket i.
func bucketHigh(i int) uint64 {
	if i < subBuckets {
		return uint64(i)
	}
	shift := (i-subBuckets)/halfSub + 1
	top := uint64((i-subBuckets)%halfSub + halfSub)
	return (top+1)<<shift - 1
}

// Record adds one duration. Negative durations count as 0 and durations of 2^40 ns or more
// as the largest value the histogram holds.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(max(d, 0))
	v = min(v, maxValue)
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	h.max = max(h.max, v)
	h.n++
	h.sum += v
}

// Merge adds every value recorded in o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// Count returns how many durations were recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Max returns the largest duration recorded, 0 if none.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean returns the average duration, 0 if none.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / h.n)
}

// Quantile returns the duration at or below which a fraction q of the recorded durations lie
// (q = 0.99 for the 99th percentile), as the top of its bucket but never above Max. It returns
// 0 when nothing was recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(bucketHigh(i), h.max))
		}
	}
	return time.Duration(h.max)
}

// Latency is the summary of a Histogram, in milliseconds, as reports print it.
type Latency struct {
	Calls  uint64  `json:"calls"`
	MeanMs float64 `json:"meanMs"`
	P50Ms  float64 `json:"p50Ms"`
	P90Ms  float64 `json:"p90Ms"`
	P99Ms  float64 `json:"p99Ms"`
	P999Ms float64 `json:"p999Ms"`
	MaxMs  float64 `json:"maxMs"`
}

// Summary returns the count, mean, p50, p90, p99, p99.9 and max of h.
func (h *Histogram) Summary() Latency {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return Latency{
		Calls:  h.n,
		MeanMs: ms(h.Mean()),
		P50Ms:  ms(h.Quantile(0.50)),
		P90Ms:  ms(h.Quantile(0.90)),
		P99Ms:  ms(h.Quantile(0.99)),
		P999Ms: ms(h.Quantile(0.999)),
		MaxMs:  ms(h.Max()),
	}
}
