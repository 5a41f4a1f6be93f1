package metrics

import "time"

// NewWithClock is New with now as the clock of the maxima over a minute.
func NewWithClock(opts Options, now func() time.Time) *Metrics {
	opts.now = now
	return New(opts)
}
