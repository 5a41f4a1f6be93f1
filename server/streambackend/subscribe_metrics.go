package streambackend

import (
	"github.com/shardlog/shardlog/internal/metrics"
	"github.com/shardlog/shardlog/stream"
)

// consumerCounts returns the counters of the subscriptions of consumer c, or nil when the
// backend counts nothing (the metrics.Consumer methods then do nothing).
func (b *backend) consumerCounts(c stream.ActiveConsumer) *metrics.Consumer {
	if b.counts == nil {
		return nil
	}
	return b.counted(c.Stream).Consumer(c.Name)
}
