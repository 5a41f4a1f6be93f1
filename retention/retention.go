package retention

import "time"

// DefaultInterval is how often retention passes are made by default. Kafka checks every 5
// minutes; a shorter pass costs little, since a shard with nothing to delete only compares
// the arrival time of its oldest segment's newest record.
const DefaultInterval = 30 * time.Second

// Expired reports whether a record that arrived at arrivalMs (milliseconds since the Unix
// epoch) has expired at nowMs under period: it arrived before nowMs − period.
func Expired(arrivalMs, nowMs int64, period time.Duration) bool {
	return arrivalMs < CutoffMs(nowMs, period)
}

// CutoffMs returns the arrival time before which records have expired at nowMs under period.
func CutoffMs(nowMs int64, period time.Duration) int64 {
	return nowMs - period.Milliseconds()
}

// Schedule says when retention passes are due: the first at once, then one every Interval.
// The zero value runs every DefaultInterval.
type Schedule struct {
	Interval time.Duration // between passes; DefaultInterval if <= 0

	last time.Time // when the last pass was due; zero before the first
}

// Due reports whether a pass is due at now, and if so counts it as made.
func (s *Schedule) Due(now time.Time) bool {
	interval := s.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	if !s.last.IsZero() && now.Sub(s.last) < interval {
		return false
	}
	s.last = now
	return true
}
