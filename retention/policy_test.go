package retention_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/retention"
)

func TestFromHours(t *testing.T) {
	tests := []struct {
		hours   int
		wantErr bool
	}{
		{0, true},
		{23, true},
		{24, false},
		{168, false},
		{8760, false},
		{8761, true},
		{-24, true},
	}
	for _, tt := range tests {
		p, err := retention.FromHours(tt.hours)
		if tt.wantErr {
			require.ErrorIs(t, err, retention.ErrPeriod, "FromHours(%d)", tt.hours)
			continue
		}
		require.NoError(t, err, "FromHours(%d)", tt.hours)
		require.Equal(t, time.Duration(tt.hours)*time.Hour, p.Period, "FromHours(%d).Period", tt.hours)
		require.Equal(t, tt.hours, p.Hours(), "FromHours(%d).Hours()", tt.hours)
		require.NoError(t, p.Validate(), "FromHours(%d).Validate()", tt.hours)
	}
}

func TestPolicy_Validate(t *testing.T) {
	tests := []struct {
		name    string
		period  time.Duration
		wantErr bool
	}{
		{"zero is the default", 0, false},
		{"minimum", retention.MinPeriod, false},
		{"maximum", retention.MaxPeriod, false},
		{"below", retention.MinPeriod - time.Millisecond, true},
		{"above", retention.MaxPeriod + time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := retention.Policy{Period: tt.period}.Validate()
			if tt.wantErr {
				require.ErrorIs(t, err, retention.ErrPeriod)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestPolicy_Expired(t *testing.T) {
	now := time.UnixMilli(100 * int64(time.Hour/time.Millisecond))
	day := int64(24 * time.Hour / time.Millisecond)
	tests := []struct {
		name      string
		period    time.Duration
		arrivalMs int64
		want      bool
	}{
		{"just arrived", 0, now.UnixMilli(), false},
		{"exactly the default period old", 0, now.UnixMilli() - day, false},
		{"a millisecond older", 0, now.UnixMilli() - day - 1, true},
		{"in the future", 0, now.UnixMilli() + 1000, false},
		{"two days old, 48 h period", 48 * time.Hour, now.UnixMilli() - 2*day, false},
		{"two days old, 24 h period", 24 * time.Hour, now.UnixMilli() - 2*day, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := retention.Policy{Period: tt.period}.Expired(tt.arrivalMs, now)
			require.Equal(t, tt.want, got, "Expired(%d) at %d", tt.arrivalMs, now.UnixMilli())
		})
	}
}
