package bench

import (
	"testing"
	"time"
)

// TestPacer_Interval: a call of BatchRecords records is due every BatchRecords/Rate seconds.
func TestPacer_Interval(t *testing.T) {
	for _, tc := range []struct {
		batch int
		rate  float64
		want  time.Duration
	}{
		{500, 1000, 500 * time.Millisecond},
		{100, 50000, 2 * time.Millisecond},
		{1, 0, 0}, // no rate: no pacer
	} {
		pc := newPacer(Config{BatchRecords: tc.batch, Rate: tc.rate})
		switch {
		case tc.want == 0 && pc != nil:
			t.Errorf("rate %v: a pacer, want none", tc.rate)
		case tc.want != 0 && (pc == nil || pc.interval != tc.want):
			t.Errorf("batch %d at %v records/s: pacer %+v, want interval %v", tc.batch, tc.rate, pc, tc.want)
		}
	}
}
