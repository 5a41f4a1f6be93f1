package throttle

import (
	"math"
	"time"
)

// Rate is Count tokens per Per. A bucket of a Rate holds at most Count tokens.
type Rate struct {
	Count int64
	Per   time.Duration
}

// PerSecond returns the Rate of n tokens a second.
func PerSecond(n int64) Rate { return Rate{Count: n, Per: time.Second} }

// Bucket is a token bucket. It starts full, gains Rate.Count tokens each Rate.Per, spread
// evenly, and never holds more than Rate.Count. It can owe tokens (a negative level) after
// Take of more than it holds at most, or after Charge.
//
// The level is kept in tokens times Per's nanoseconds, so that gaining tokens is an integer
// multiplication and no fraction of a token is ever rounded away. The zero Bucket is
// unusable; a Bucket is not safe for concurrent use (the Meter guards its buckets).
type Bucket struct {
	rate  Rate
	level int64 // tokens held, times rate.Per in ns; negative while the bucket owes
	at    int64 // unix ns of the last refill
}

// MaxCount is the largest Rate.Count of a one-second Rate: the level of a full bucket,
// Count times Per in nanoseconds, must leave room in an int64 for a record of 10 MiB
// owed on top of it.
const MaxCount = (math.MaxInt64 - 64<<20*int64(time.Second)) / int64(time.Second)

// NewBucket returns a full bucket of r at now. r.Count and r.Per must be positive, and
// r.Count times r.Per in nanoseconds at most MaxCount seconds' worth.
func NewBucket(r Rate, now time.Time) *Bucket {
	if r.Count <= 0 || r.Per <= 0 || r.Count > MaxCount*int64(time.Second)/int64(r.Per) {
		panic("throttle: a bucket needs a positive count and period whose product fits")
	}
	return &Bucket{rate: r, level: r.Count * int64(r.Per), at: now.UnixNano()}
}

// full is the level of a full bucket.
func (b *Bucket) full() int64 { return b.rate.Count * int64(b.rate.Per) }

// refill adds the tokens gained since the last refill. A clock that steps back adds none.
func (b *Bucket) refill(now time.Time) {
	t := now.UnixNano()
	if t <= b.at {
		return
	}
	elapsed := t - b.at
	b.at = t
	need := b.full() - b.level
	if need <= 0 {
		return
	}
	if elapsed >= (need+b.rate.Count-1)/b.rate.Count { // enough to fill it (and no overflow below)
		b.level = b.full()
		return
	}
	b.level += b.rate.Count * elapsed
}

// CanTake reports whether Take(now, n) would succeed, without taking anything.
func (b *Bucket) CanTake(now time.Time, n int64) bool {
	b.refill(now)
	return b.level >= min(n, b.rate.Count)*int64(b.rate.Per)
}

// Take takes n tokens if the bucket holds them, or if n is more than a full bucket holds
// and the bucket is full (it then owes the rest), and reports whether it did.
func (b *Bucket) Take(now time.Time, n int64) bool {
	if !b.CanTake(now, n) {
		return false
	}
	b.level -= n * int64(b.rate.Per)
	return true
}

// Charge takes n tokens whatever the bucket holds, leaving it owing what it lacked.
func (b *Bucket) Charge(now time.Time, n int64) {
	b.refill(now)
	b.level -= n * int64(b.rate.Per)
}

// Owes reports whether the bucket holds less than nothing.
func (b *Bucket) Owes(now time.Time) bool {
	b.refill(now)
	return b.level < 0
}

// Held returns the whole tokens the bucket holds at now (negative while it owes).
func (b *Bucket) Held(now time.Time) int64 {
	b.refill(now)
	return floorDiv(b.level, int64(b.rate.Per))
}

// Until returns how long after now the bucket will hold n tokens (at most a full bucket's
// worth): 0 if it holds them already.
func (b *Bucket) Until(now time.Time, n int64) time.Duration {
	b.refill(now)
	need := min(n, b.rate.Count)*int64(b.rate.Per) - b.level
	if need <= 0 {
		return 0
	}
	return time.Duration((need + b.rate.Count - 1) / b.rate.Count) // ns, rounded up
}

// floorDiv is a / b rounded down, for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
