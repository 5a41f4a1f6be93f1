package streambackend

import (
	"github.com/shardlog/shardlog/internal/metrics"
	"github.com/shardlog/shardlog/stream"
)

// DefaultCounts reads the counters of the default account and region, those of the
// streams the web console shows (package console); nil before CountInto.
func (m *Scoped) DefaultCounts() []metrics.Counts {
	m.mu.Lock()
	counts := m.root.counts
	m.mu.Unlock()
	if counts == nil {
		return nil
	}
	return counts.Read()
}

// DefaultRetained returns what each shard of the stream name of the default account and
// region holds now (stream.Store.Retained), for the web console's shard table.
func (m *Scoped) DefaultRetained(name string) ([]stream.ShardRetained, error) {
	return m.root.store.Retained(name)
}
