package retention_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/retention"
)

func TestExpired(t *testing.T) {
	const now = 10 * 3600 * 1000 // 10 h after the epoch, in ms
	tests := []struct {
		name      string
		arrivalMs int64
		period    time.Duration
		want      bool
	}{
		{"just arrived", now, time.Hour, false},
		{"exactly one period old", now - 3600*1000, time.Hour, false},
		{"one ms past the period", now - 3600*1000 - 1, time.Hour, true},
		{"older than a long period", 0, 9 * time.Hour, true},
		{"within a long period", 2 * 3600 * 1000, 9 * time.Hour, false},
		{"arrived after now (clock stepped back)", now + 1000, time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, retention.Expired(tt.arrivalMs, now, tt.period),
				"Expired(%d, %d, %v)", tt.arrivalMs, now, tt.period)
			require.Equal(t, tt.want, tt.arrivalMs < retention.CutoffMs(now, tt.period), "CutoffMs agrees")
		})
	}
}

func TestSchedule_Due(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	s := retention.Schedule{Interval: time.Minute}
	require.True(t, s.Due(t0), "the first pass is due at once")
	require.False(t, s.Due(t0), "not again at the same instant")
	require.False(t, s.Due(t0.Add(59*time.Second)), "not before the interval")
	require.True(t, s.Due(t0.Add(time.Minute)), "due after the interval")
	require.False(t, s.Due(t0.Add(time.Minute+time.Second)), "counted from the pass just made")
}

func TestSchedule_ZeroValue(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	var s retention.Schedule
	require.True(t, s.Due(t0))
	require.False(t, s.Due(t0.Add(retention.DefaultInterval-time.Millisecond)))
	require.True(t, s.Due(t0.Add(retention.DefaultInterval)))
}

func ExampleExpired() {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC).UnixMilli()
	arrived := time.Date(2026, 12, 4, 11, 59, 0, 0, time.UTC).UnixMilli()
	fmt.Println(retention.Expired(arrived, now, 24*time.Hour)) // 24 h 1 min old
	// Output: true
}
