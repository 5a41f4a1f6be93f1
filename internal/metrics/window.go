package metrics

import (
	"sync"
	"time"
)

// windowMinutes is the period of the maxima: CloudWatch reports IteratorAgeMilliseconds
// and MillisBehindLatest as the Maximum over a period, one minute at the finest.
const windowMinutes = 1

// windowMax keeps the largest value observed in the current minute and in the one before,
// so that a scrape at any moment sees the maximum of at least the last full minute. A
// mutex is enough: it is taken once per GetRecords call or event, never per record.
type windowMax struct {
	mu        sync.Mutex
	minute    int64 // the minute (since the Unix epoch) that cur is for
	cur, prev int64
}

// observe records v at now.
func (w *windowMax) observe(v int64, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rotateLocked(now)
	w.cur = max(w.cur, v)
}

// value returns the largest value observed in the current minute and the one before; 0
// when none was.
func (w *windowMax) value(now time.Time) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rotateLocked(now)
	return max(w.cur, w.prev)
}

// rotateLocked moves the window on to now's minute.
func (w *windowMax) rotateLocked(now time.Time) {
	m := now.Unix() / (60 * windowMinutes)
	switch {
	case m == w.minute:
	case m == w.minute+1:
		w.minute, w.prev, w.cur = m, w.cur, 0
	default: // two minutes or more without a value (or the clock went back)
		w.minute, w.prev, w.cur = m, 0, 0
	}
}
