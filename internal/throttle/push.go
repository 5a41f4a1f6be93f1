package throttle

import "time"

// Enhanced fan-out has a quota of its own, apart from the shard's: SubscribeToShard pushes
// at most Limits.PushBytes to each consumer from each shard. A push is never refused: the
// subscription asks how much it may push (Push), reads at most that from the log, pushes it
// and pays for it (PushDone); when its bucket holds too little it waits, and the records
// wait in the log, not in memory.

// pushKey is the bucket of one consumer's subscriptions to one shard.
type pushKey struct {
	consumer string
	shard    Shard
}

// minPushFraction is the least a subscription waits to be allowed, as a fraction of its
// rate: 1/64 (32 KiB of 2 MiB/s, about 16 ms), so that a consumer held at its rate gets
// events of some size rather than one record at a time.
const minPushFraction = 64

// Push returns how many bytes (data and partition keys) a subscription of consumer to at
// may push now. It is what the consumer's bucket for the shard holds once that is at least
// 1/64 of a second's worth; otherwise Push returns 0 and how long
// until it will be. Without a PushBytes quota, Push returns -1: no bound. The first record
// of a read goes whatever its size, so a push may take more than allowed; the bucket then
// owes the rest, and the next push waits for it.
func (m *Meter) Push(consumer string, at Shard) (bytes int64, wait time.Duration) {
	r := m.limits.PushBytes
	if r.Count <= 0 || r.Per <= 0 {
		return -1, 0
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.push(consumer, at, now)
	least := max(1, r.Count/minPushFraction)
	if held := b.Held(now); held >= least {
		return held, 0
	}
	return 0, b.Until(now, least)
}

// PushDone charges the bytes a subscription of consumer to at pushed.
func (m *Meter) PushDone(consumer string, at Shard, bytes int) {
	if m.limits.PushBytes.Count <= 0 || m.limits.PushBytes.Per <= 0 {
		return
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.push(consumer, at, now).Charge(now, int64(bytes))
}

// push returns the bucket of consumer on at, made full on first use. Called with mu held.
func (m *Meter) push(consumer string, at Shard, now time.Time) *Bucket {
	key := pushKey{consumer: consumer, shard: Shard{Stream: at.Stream, ShardID: at.ShardID}}
	b := m.pushes[key]
	if b == nil {
		b = NewBucket(m.limits.PushBytes, now)
		m.pushes[key] = b
	}
	return b
}
