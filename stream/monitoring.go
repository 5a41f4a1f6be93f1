package stream

import (
	"fmt"
	"slices"
)

// shardLevelMetrics are the shard-level metrics of enhanced monitoring, in the order of the
// API's MetricsName enum, which is the order the settings are reported in.
var shardLevelMetrics = [...]string{
	"IncomingBytes",
	"IncomingRecords",
	"OutgoingBytes",
	"OutgoingRecords",
	"WriteProvisionedThroughputExceeded",
	"ReadProvisionedThroughputExceeded",
	"IteratorAgeMilliseconds",
}

// AllShardLevelMetrics names every shard-level metric in Enable/DisableEnhancedMonitoring.
const AllShardLevelMetrics = "ALL"

// EnableEnhancedMonitoring turns on the given shard-level metrics of a stream (ALL for every
// one) and returns those on before and after, in the API's order. The stream must be
// ACTIVE; a call that turns something on makes it UPDATING for Options.UpdateDelay, as the
// change of any other setting does.
func (s *Store) EnableEnhancedMonitoring(name string, metrics []string) (current, desired []string, err error) {
	return s.setMonitoring(name, metrics, true)
}

// DisableEnhancedMonitoring turns off the given shard-level metrics of a stream (ALL for
// every one) and returns those on before and after; see EnableEnhancedMonitoring.
func (s *Store) DisableEnhancedMonitoring(name string, metrics []string) (current, desired []string, err error) {
	return s.setMonitoring(name, metrics, false)
}

func (s *Store) setMonitoring(name string, metrics []string, enable bool) (current, desired []string, err error) {
	for _, m := range metrics {
		if m != AllShardLevelMetrics && !slices.Contains(shardLevelMetrics[:], m) {
			return nil, nil, fmt.Errorf("stream: enhanced monitoring: unknown shard-level metric %q", m)
		}
	}
	err = s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		if err := requireActive(info); err != nil {
			return nil, err
		}
		current = orderedMetrics(info.ShardLevelMetrics, nil, true)
		desired = orderedMetrics(current, metrics, enable)
		if slices.Equal(current, desired) {
			return nil, nil
		}
		info.ShardLevelMetrics = desired
		info.Status, info.StatusDueMs = StatusUpdating, s.nowMs()+s.opts.UpdateDelay.Milliseconds()
		return info, nil
	}, nil)
	if err != nil {
		return nil, nil, err
	}
	s.current(name) // ACTIVE now if there is no delay
	return current, desired, nil
}

// orderedMetrics returns the metrics of on, with those of change turned on (enable) or off,
// in the API's order. It never returns nil.
func orderedMetrics(on, change []string, enable bool) []string {
	out := []string{}
	for _, m := range shardLevelMetrics {
		changed := slices.Contains(change, m) || slices.Contains(change, AllShardLevelMetrics)
		if changed && enable || !changed && slices.Contains(on, m) {
			out = append(out, m)
		}
	}
	return out
}
