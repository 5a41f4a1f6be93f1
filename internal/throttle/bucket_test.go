package throttle_test

import (
	"testing"
	"time"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/internal/throttle"
)

const start = 1_700_000_000_000 // ms

func TestBucket_Take_Boundary(t *testing.T) {
	// 1 MiB/s gains 1048.576 bytes a millisecond: exactly 1048 whole bytes after 1 ms, and
	// 1048576 after 1000 ms.
	clock := testutil.NewClock(start)
	b := throttle.NewBucket(throttle.PerSecond(1<<20), clock.Now())
	steps := []struct {
		advance time.Duration
		take    int64
		want    bool
	}{
		{0, 1 << 20, true}, // starts full
		{0, 1, false},      // and is empty now
		{time.Millisecond, 1049, false},
		{0, 1048, true},                // 1048.576 held
		{0, 1, false},                  // 0.576 held
		{time.Millisecond, 1049, true}, // 1049.152 held
		{0, 1, false},
		{2 * time.Second, 1<<20 + 1, true}, // full again (never more), and more than full is let through,
		{0, 1, false},                      // leaving it owing 1 byte
		{time.Millisecond, 1048, false},    // 1047.576 held
		{0, 1047, true},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		if got := b.Take(clock.Now(), s.take); got != s.want {
			t.Fatalf("step %d: Take(%d) after +%v = %v, want %v", i, s.take, s.advance, got, s.want)
		}
	}
}

func TestBucket_Take_Records(t *testing.T) {
	// 1,000 records/s: 1,000 at once, then one a millisecond.
	clock := testutil.NewClock(start)
	b := throttle.NewBucket(throttle.PerSecond(1000), clock.Now())
	for i := range 1000 {
		if !b.Take(clock.Now(), 1) {
			t.Fatalf("record %d of a full bucket refused", i)
		}
	}
	if b.Take(clock.Now(), 1) {
		t.Fatal("record 1001 in the same instant let through")
	}
	for i := range 5 {
		clock.Advance(time.Millisecond)
		if !b.Take(clock.Now(), 1) {
			t.Fatalf("ms %d: the record gained refused", i+1)
		}
		if b.Take(clock.Now(), 1) {
			t.Fatalf("ms %d: a second record let through", i+1)
		}
	}
}

func TestBucket_Charge_Owes(t *testing.T) {
	// A GetRecords call that returns 10 MiB from a full 2 MiB/s bucket leaves it owing 8 MiB:
	// 4 seconds.
	clock := testutil.NewClock(start)
	b := throttle.NewBucket(throttle.PerSecond(2<<20), clock.Now())
	b.Charge(clock.Now(), 10<<20)
	clock.Advance(4*time.Second - time.Millisecond)
	if !b.Owes(clock.Now()) {
		t.Fatal("Owes() = false 1 ms before the debt is paid")
	}
	clock.Advance(time.Millisecond)
	if b.Owes(clock.Now()) {
		t.Fatal("Owes() = true once the debt is paid")
	}
}

func TestBucket_ClockBack(t *testing.T) {
	clock := testutil.NewClock(start)
	b := throttle.NewBucket(throttle.PerSecond(1), clock.Now())
	b.Take(clock.Now(), 1)
	clock.Advance(-time.Hour)
	if b.Take(clock.Now(), 1) {
		t.Fatal("a clock stepping back filled the bucket")
	}
	clock.Advance(time.Hour + time.Second)
	if !b.Take(clock.Now(), 1) {
		t.Fatal("no token a second after the last refill")
	}
}

func TestBucket_Day(t *testing.T) {
	// 25 a rolling day: 25 at once, then one each 57.6 minutes.
	clock := testutil.NewClock(start)
	b := throttle.NewBucket(throttle.Rate{Count: 25, Per: 24 * time.Hour}, clock.Now())
	for range 25 {
		b.Take(clock.Now(), 1)
	}
	clock.Advance(57*time.Minute + 35*time.Second + 999*time.Millisecond)
	if b.Take(clock.Now(), 1) {
		t.Fatal("token 26 let through 1 ms before it is due")
	}
	clock.Advance(time.Millisecond)
	if !b.Take(clock.Now(), 1) {
		t.Fatal("token 26 refused when due")
	}
}
