package throttle_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/internal/throttle"
)

func newMeter(t *testing.T) (*throttle.Meter, *testutil.Clock) {
	t.Helper()
	clock := testutil.NewClock(start)
	return throttle.New(throttle.AWS(), clock.Now), clock
}

var (
	shard0 = throttle.Shard{Stream: "s", ShardID: "shardId-000000000000"}
	shard1 = throttle.Shard{Stream: "s", ShardID: "shardId-000000000001"}
)

func TestMeter_Write_PerShard(t *testing.T) {
	m, clock := newMeter(t)
	// 1,000 records of 1 byte fill shard 0's record quota; its 1 MiB is untouched.
	for i := range 1000 {
		if !m.Write(shard0, 1) {
			t.Fatalf("record %d refused", i)
		}
	}
	if m.Write(shard0, 1) {
		t.Fatal("record 1001 let through")
	}
	if !m.Write(shard1, 1<<20) {
		t.Fatal("shard 1 refused for shard 0's records")
	}
	if m.Write(shard1, 1) {
		t.Fatal("shard 1 let a byte through past its 1 MiB")
	}
	clock.Advance(time.Millisecond)
	if !m.Write(shard0, 1) {
		t.Fatal("shard 0 refused the record it gained in 1 ms")
	}
	// A refused record takes nothing: shard 1 gained 1048 bytes, and a refused
	// 2000-byte record leaves them for a 1048-byte one.
	if m.Write(shard1, 2000) {
		t.Fatal("2000 bytes let through with 1048 gained")
	}
	if !m.Write(shard1, 1048) {
		t.Fatal("the refused record took bytes")
	}
}

func TestMeter_Write_OnDemandStream(t *testing.T) {
	// An ON_DEMAND stream has 4 MiB/s across its shards: five shards take 1 MiB each
	// only up to the fourth.
	m, _ := newMeter(t)
	for i := range 5 {
		at := throttle.Shard{Stream: "od", ShardID: "shardId-00000000000" + string(rune('0'+i)), OnDemand: true}
		if got, want := m.Write(at, 1<<20), i < 4; got != want {
			t.Fatalf("shard %d: Write(1 MiB) = %v, want %v", i, got, want)
		}
	}
}

func TestMeter_Read(t *testing.T) {
	m, clock := newMeter(t)
	for i := range 5 {
		if !m.Read(shard0) {
			t.Fatalf("GetRecords call %d refused", i)
		}
	}
	if m.Read(shard0) {
		t.Fatal("GetRecords call 6 in one instant let through")
	}
	clock.Advance(200 * time.Millisecond) // one call
	if !m.Read(shard0) {
		t.Fatal("the call gained in 200 ms refused")
	}
	m.ReadDone(shard0, 10<<20) // 10 MiB returned: 8 MiB owed, 4 s
	clock.Advance(4*time.Second - time.Millisecond)
	if m.Read(shard0) {
		t.Fatal("a call let through while the shard owes read bytes")
	}
	clock.Advance(time.Millisecond)
	if !m.Read(shard0) {
		t.Fatal("a call refused once the debt is paid")
	}
}

func TestMeter_Iterator(t *testing.T) {
	m, _ := newMeter(t)
	for i := range 5 {
		if !m.Iterator(shard0) {
			t.Fatalf("GetShardIterator call %d refused", i)
		}
	}
	if m.Iterator(shard0) {
		t.Fatal("GetShardIterator call 6 let through")
	}
	if !m.Iterator(shard1) {
		t.Fatal("another shard refused")
	}
}

func TestMeter_Control(t *testing.T) {
	m, clock := newMeter(t)
	tests := []struct {
		op, stream string
		calls      int // let through in one instant
	}{
		{"DescribeStream", "a", 10},
		{"DescribeStream", "b", 0}, // per account: a's calls used them up
		{"ListShards", "a", 1000},
		{"ListShards", "b", 1000}, // per stream
		{"DescribeLimits", "", 1},
		{"StartStreamEncryption", "a", 25},
		{"StopStreamEncryption", "a", 0}, // starts and stops share the 25
		{"PutRecords", "a", 5000},        // no control rate
	}
	for _, tt := range tests {
		n := 0
		for n < tt.calls+1 && m.Control(tt.op, tt.stream) {
			n++
		}
		if tt.calls == 5000 {
			n = min(n, tt.calls)
		}
		if n != tt.calls {
			t.Errorf("%s(%q): %d calls let through, want %d", tt.op, tt.stream, n, tt.calls)
		}
	}
	clock.Advance(100 * time.Millisecond)
	if !m.Control("DescribeStream", "b") {
		t.Error("DescribeStream refused 100 ms later (10/s)")
	}
}

func TestMeter_Write_Concurrent(t *testing.T) {
	// 8 writers at one instant share shard 0's 1,000 records: exactly 1,000 get through.
	m, _ := newMeter(t)
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				if m.Write(shard0, 1) {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := admitted.Load(); n != 1000 {
		t.Fatalf("%d records admitted by concurrent writers, want 1000", n)
	}
}
