package throttle_test

import (
	"testing"
	"time"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/internal/throttle"
)

// TestMeter_Push_Boundary: a subscription is allowed exactly what its consumer's bucket for
// the shard holds (2 MiB/s gains 2097.152 bytes a millisecond), once that is at least 1/64
// of a second's worth (32 KiB); below that it is told exactly how long to wait.
func TestMeter_Push_Boundary(t *testing.T) {
	clock := testutil.NewClock(start)
	m := throttle.New(throttle.AWS(), clock.Now)
	at := throttle.Shard{Stream: "s", ShardID: "shardId-000000000000"}
	const consumer = "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1"
	steps := []struct {
		advance  time.Duration
		wantN    int64
		wantWait time.Duration
		push     int // bytes pushed after the call
	}{
		{0, 2 << 20, 0, 2 << 20},                              // starts full: 2 MiB at once
		{0, 0, 15625 * time.Microsecond, 0},                   // empty: 32 KiB come in 15.625 ms
		{15 * time.Millisecond, 0, 625 * time.Microsecond, 0}, // 31457.28 held: not yet
		{time.Millisecond, 33554, 0, 40000},                   // 33554.432 held; a larger first record leaves it owing 6445.568
		{0, 0, 18698 * time.Microsecond, 0},                   // (32768 + 6445.568) / 2097.152 ms, rounded up to the ns below
		{18 * time.Millisecond, 0, 698 * time.Microsecond, 0},
		{time.Second, 2 << 20, 0, 0}, // full again, and never more than full
		{time.Second, 2 << 20, 0, 0},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		n, wait := m.Push(consumer, at)
		if n != s.wantN || wait.Truncate(time.Microsecond) != s.wantWait {
			t.Fatalf("step %d: Push() after +%v = %d, %v; want %d, %v", i, s.advance, n, wait, s.wantN, s.wantWait)
		}
		if s.push > 0 {
			m.PushDone(consumer, at, s.push)
		}
	}
}

// TestMeter_Push_PerConsumerAndShard: each consumer has a bucket per shard; without the
// quota a push is not bounded.
func TestMeter_Push_PerConsumerAndShard(t *testing.T) {
	clock := testutil.NewClock(start)
	m := throttle.New(throttle.AWS(), clock.Now)
	a := throttle.Shard{Stream: "s", ShardID: "shardId-000000000000"}
	b := throttle.Shard{Stream: "s", ShardID: "shardId-000000000001"}
	m.PushDone("c1", a, 2<<20)
	if n, _ := m.Push("c1", a); n != 0 {
		t.Fatalf("c1 on shard 0 after 2 MiB: %d allowed", n)
	}
	if n, _ := m.Push("c1", b); n != 2<<20 {
		t.Fatalf("c1 on shard 1: %d allowed, want 2 MiB", n)
	}
	if n, _ := m.Push("c2", a); n != 2<<20 {
		t.Fatalf("c2 on shard 0: %d allowed, want 2 MiB", n)
	}
	none := throttle.New(throttle.Limits{}, clock.Now)
	none.PushDone("c1", a, 100<<20)
	if n, wait := none.Push("c1", a); n != -1 || wait != 0 {
		t.Fatalf("without PushBytes: Push() = %d, %v, want -1, 0", n, wait)
	}
}
