package console

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shardlog/shardlog/internal/metrics"
)

func TestRates_Sample(t *testing.T) {
	r := newRates(3)
	t0 := time.Unix(1000, 0)
	reading := func(in, out uint64, shard bool) []metrics.Counts {
		c := metrics.Counts{Stream: "s", Totals: metrics.Totals{IncomingRecords: in, IncomingBytes: in * 10,
			OutgoingRecords: out, OutgoingBytes: out * 10, IteratorAgeMs: 7}}
		if shard {
			c.Shards = map[string]metrics.Totals{"shardId-000000000000": c.Totals}
		}
		return []metrics.Counts{c}
	}
	r.sample(t0, reading(0, 0, false))
	if p := r.latest("s"); p != nil {
		t.Fatalf("latest after one reading = %+v, want none: a rate needs two", p)
	}
	r.sample(t0.Add(2*time.Second), reading(100, 50, true))
	p := r.latest("s")
	if p == nil || p.InRecords != 50 || p.InBytes != 500 || p.OutRecords != 25 || p.AgeMs != 7 {
		t.Fatalf("latest = %+v, want 50 records/s in, 500 B/s, 25 out, age 7", p)
	}
	// The stream was deleted and made again: its counters start over, and count from zero.
	r.sample(t0.Add(4*time.Second), reading(10, 0, true))
	if p := r.latest("s"); p.InRecords != 5 {
		t.Errorf("rate after the counters started over = %v, want 5", p.InRecords)
	}
	for i := 3; i < 6; i++ {
		r.sample(t0.Add(time.Duration(2*i)*time.Second), reading(10, 0, true))
	}
	ch := r.chart("s", 2*time.Second)
	if len(ch.Stream) != 3 || ch.Stream[0].At >= ch.Stream[2].At {
		t.Errorf("chart = %d points, want the ring's 3, oldest first: %+v", len(ch.Stream), ch.Stream)
	}
	if len(ch.Shards["shardId-000000000000"]) != 3 {
		t.Errorf("shard chart = %+v, want 3 points", ch.Shards)
	}
	b, _ := json.Marshal(ch.Stream[2])
	if string(b) != "[1010000,0.00,0.00,0.00,0.00,7]" {
		t.Errorf("point encodes as %s", b)
	}
	r.sample(t0.Add(20*time.Second), nil)
	if p := r.latest("s"); p != nil {
		t.Errorf("latest of a stream no longer counted = %+v, want none", p)
	}
}

// TestRates_NewStream: counters are made at a stream's first call after start, from zero,
// so a stream that appears between two readings gets its first rate from zero at the
// earlier one: a burst before the first reading that sees it is not lost.
func TestRates_NewStream(t *testing.T) {
	r := newRates(10)
	t0 := time.Unix(1000, 0)
	r.sample(t0, nil)
	r.sample(t0.Add(2*time.Second), []metrics.Counts{{Stream: "s", Totals: metrics.Totals{IncomingRecords: 6},
		Shards: map[string]metrics.Totals{"shardId-000000000000": {IncomingRecords: 4}}}})
	p := r.latest("s")
	if p == nil || p.InRecords != 3 {
		t.Fatalf("latest of a stream that appeared with 6 records in 2 s = %+v, want 3 records/s", p)
	}
	if sh := r.chart("s", 2*time.Second).Shards["shardId-000000000000"]; len(sh) != 1 || sh[0].InRecords != 2 {
		t.Errorf("shard chart = %+v, want one point of 2 records/s", sh)
	}
}
