package shard_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/shard"
)

func TestShard_Retained(t *testing.T) {
	clk := newClock(1_000_000_000)
	dir := t.TempDir()
	s := mustOpen(t, dir, shard.Options{Now: clk.Now, Retention: 24 * hour, MaxSegmentBytes: 4 << 10})

	got, err := s.Retained()
	require.NoError(t, err)
	require.Equal(t, shard.Retained{Bytes: s.Stats().Bytes}, got, "an empty shard: no records, a segment header")

	start := clk.Ms()
	fillHours(t, s, clk, 30) // batch i (offsets 10i…10i+9) arrived at hour i; now = hour 29
	at := func(batch int) int64 { return start + int64(batch)*hour.Milliseconds() }
	base := clk.Ms()
	tests := []struct {
		name    string
		advance time.Duration // from hour 29
		first   uint64
		firstMs int64
		delete  bool // DeleteExpired first
	}{
		{"nothing expired yet: batch 5 is exactly 24 h old", 0, 50, at(5), false},
		{"batch 5 expired", time.Millisecond, 60, at(6), false},
		{"hour 40: batch 16 is exactly 24 h old", 11 * hour, 160, at(16), false},
		{"hour 40, once DeleteExpired removed the expired segments", 11 * hour, 160, at(16), true},
		{"only the last batch left", 24 * hour, 290, at(29), false},
		{"everything expired", 24*hour + time.Millisecond, 300, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.Set(base + tt.advance.Milliseconds())
			if before := s.Stats().Bytes; tt.delete {
				n, _, err := s.DeleteExpired()
				require.NoError(t, err)
				require.Positive(t, n, "segments deleted")
				require.Less(t, s.Stats().Bytes, before, "the deleted segments' bytes are gone")
			}
			want := shard.Retained{FirstOffset: tt.first, NextOffset: 300, Records: 300 - tt.first,
				Bytes: s.Stats().Bytes, FirstTimeMs: tt.firstMs, LastTimeMs: at(29)}
			if tt.first == 300 {
				want.LastTimeMs = 0
			}
			got, err := s.Retained()
			require.NoError(t, err)
			require.Equal(t, want, got)
			require.Equal(t, s.FirstOffset(), got.FirstOffset, "agrees with FirstOffset")
			require.Equal(t, int(got.Records), len(readAll(t, s, 0)), "agrees with a read from the trim horizon")
		})
	}

}

// TestShard_Retained_WithinSegment: when the oldest unexpired record is not the first of its
// segment, its arrival time comes from its batch.
func TestShard_Retained_WithinSegment(t *testing.T) {
	clk := newClock(1_000_000_000)
	s := mustOpen(t, t.TempDir(), shard.Options{Now: clk.Now, Retention: hour, MaxSegmentAge: 24 * hour})
	start := clk.Ms()
	for i := range 3 { // batches at minutes 0, 10 and 20, in one segment
		if i > 0 {
			clk.Advance(10 * time.Minute)
		}
		_, _, err := s.Append(batch(s.NextOffset(), 10, 100))
		require.NoError(t, err)
	}
	require.Equal(t, 1, s.Stats().Segments, "one segment")
	clk.Set(start + (hour + 5*time.Minute).Milliseconds()) // the first batch expired
	got, err := s.Retained()
	require.NoError(t, err)
	require.Equal(t, shard.Retained{FirstOffset: 10, NextOffset: 30, Records: 20, Bytes: s.Stats().Bytes,
		FirstTimeMs: start + (10 * time.Minute).Milliseconds(), LastTimeMs: start + (20 * time.Minute).Milliseconds()}, got)
}
