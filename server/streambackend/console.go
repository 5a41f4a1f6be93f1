package streambackend

import "github.com/shardlog/shardlog/internal/metrics"

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
