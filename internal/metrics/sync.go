package metrics

import (
	"time"

	"github.com/shardlog/shardlog/internal/durable"
)

// WatchSyncs makes the fdatasync histogram time every sync internal/durable runs, from now
// until stop is called. Each sync costs a clock read before and after, and a closure.
func (m *Metrics) WatchSyncs() (stop func()) {
	return durable.Watch(syncTimer{m})
}

type syncTimer struct{ m *Metrics }

func (t syncTimer) Syncing(_ int, dir string) (done func(error), fail error) {
	kind := "file"
	if dir != "" {
		kind = "dir"
	}
	start := time.Now()
	return func(err error) {
		if err == nil {
			t.m.syncs.WithLabelValues(kind).Observe(time.Since(start).Seconds())
		}
	}, nil
}
