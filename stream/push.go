package stream

import "time"

// PushGate is a Gate that also meters what SubscribeToShard pushes to each consumer from
// each shard (`shardlog serve --limits aws`: 2 MiB/s). A push is delayed, never refused:
// the subscription asks Push how many bytes (data and partition keys) it may read and push
// now, or how long to wait first, reads at most that (GetRecordsRequest.MaxBytes) and
// reports what it pushed to PushDone. Push returns a negative count when the push is not
// bounded.
type PushGate interface {
	Gate
	Push(consumerARN string, at GateShard) (bytes int64, wait time.Duration)
	PushDone(consumerARN string, at GateShard, bytes int)
}

// PushMeter meters the pushes of one subscription; a nil *PushMeter meters nothing.
type PushMeter struct {
	g        PushGate
	consumer string
	at       GateShard
}

// PushMeter returns the meter of a subscription of consumerARN to shard shardID of
// streamName, or nil when the Store's Gate does not meter pushes.
func (s *Store) PushMeter(consumerARN, streamName, shardID string) *PushMeter {
	g, ok := s.opts.Gate.(PushGate)
	if !ok {
		return nil
	}
	return &PushMeter{g: g, consumer: consumerARN,
		at: GateShard{Stream: streamName, ShardID: shardID, Account: s.opts.Account, Region: s.opts.Region}}
}

// Allowance returns how many bytes the subscription may push now (-1: no bound), or 0 and
// how long to wait before asking again.
func (m *PushMeter) Allowance() (bytes int64, wait time.Duration) {
	if m == nil {
		return -1, 0
	}
	return m.g.Push(m.consumer, m.at)
}

// Done reports the bytes the subscription pushed.
func (m *PushMeter) Done(bytes int) {
	if m != nil && bytes > 0 {
		m.g.PushDone(m.consumer, m.at, bytes)
	}
}
