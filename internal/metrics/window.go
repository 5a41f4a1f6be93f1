package metrics

import (
	"sync"
	"sync/atomic"
	"time"
)

// windowMax keeps the largest value observed in the current minute and in the one before,
// so that a scrape at any moment sees the maximum of at least the last full minute: the
// Maximum statistic over CloudWatch's finest period (a minute) of IteratorAgeMilliseconds
// and MillisBehindLatest. Within a minute an observation is a load and a compare-and-swap;
// the move to the next minute takes a lock.
type windowMax struct {
	minute    atomic.Int64 // the minute (since the Unix epoch) that cur is for
	cur, prev atomic.Int64
	mu        sync.Mutex // held to move on to another minute
}

// observe records v at now.
func (w *windowMax) observe(v int64, now time.Time) {
	w.moveTo(now.Unix() / 60)
	for {
		c := w.cur.Load()
		if v <= c || w.cur.CompareAndSwap(c, v) {
			return
		}
	}
}

// value returns the largest value observed in the current minute and the one before; 0
// when none was.
func (w *windowMax) value(now time.Time) int64 {
	w.moveTo(now.Unix() / 60)
	return max(w.cur.Load(), w.prev.Load())
}

// moveTo makes minute m the current one. A value observed while it moves on lands in
// either minute, never in neither: cur is swapped out whole.
func (w *windowMax) moveTo(m int64) {
	if w.minute.Load() == m {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch old := w.minute.Load(); {
	case old == m:
	case old+1 == m:
		w.prev.Store(w.cur.Swap(0))
	default: // two minutes or more without a value (or the clock went back)
		w.cur.Store(0)
		w.prev.Store(0)
	}
	w.minute.Store(m)
}
