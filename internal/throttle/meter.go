package throttle

import (
	"sync"
	"time"
)

// Shard names the shard a request meters against. OnDemand says its stream is ON_DEMAND,
// whose stream-wide capacity is metered too.
type Shard struct {
	Stream   string
	ShardID  string
	OnDemand bool
}

// Meter keeps the buckets of Limits and answers whether a request may go ahead. Its methods
// take what they meter only when they let the request through.
type Meter struct {
	limits Limits
	now    func() time.Time

	mu      sync.Mutex
	shards  map[Shard]*shardBuckets
	streams map[string]*streamBuckets // ON_DEMAND streams
	control map[string]*Bucket        // by bucket name, or name + "\x00" + stream
	pushes  map[pushKey]*Bucket       // by consumer and shard (push.go)
}

type shardBuckets struct {
	writeBytes, writeRecords, readBytes, readCalls, iteratorCalls *Bucket
}

type streamBuckets struct {
	writeBytes, writeRecords, readBytes *Bucket
}

// New returns a Meter of l that reads the time from now (time.Now in the server, a fake
// clock in tests).
func New(l Limits, now func() time.Time) *Meter {
	return &Meter{limits: l, now: now, shards: map[Shard]*shardBuckets{},
		streams: map[string]*streamBuckets{}, control: map[string]*Bucket{}, pushes: map[pushKey]*Bucket{}}
}

// bucket returns a new full bucket of r, or nil when r is not enforced.
func (m *Meter) bucket(r Rate, now time.Time) *Bucket {
	if r.Count <= 0 || r.Per <= 0 {
		return nil
	}
	return NewBucket(r, now)
}

// shard returns the buckets of at, made on first use. Called with mu held.
func (m *Meter) shard(at Shard, now time.Time) *shardBuckets {
	key := Shard{Stream: at.Stream, ShardID: at.ShardID}
	b := m.shards[key]
	if b == nil {
		l := &m.limits
		b = &shardBuckets{writeBytes: m.bucket(l.WriteBytes, now), writeRecords: m.bucket(l.WriteRecords, now),
			readBytes: m.bucket(l.ReadBytes, now), readCalls: m.bucket(l.ReadCalls, now),
			iteratorCalls: m.bucket(l.IteratorCalls, now)}
		m.shards[key] = b
	}
	return b
}

// stream returns the stream-wide buckets of at's stream if it is ON_DEMAND, else nil.
// Called with mu held.
func (m *Meter) stream(at Shard, now time.Time) *streamBuckets {
	if !at.OnDemand {
		return nil
	}
	b := m.streams[at.Stream]
	if b == nil {
		l := &m.limits
		b = &streamBuckets{writeBytes: m.bucket(l.OnDemandWriteBytes, now),
			writeRecords: m.bucket(l.OnDemandWriteRecords, now), readBytes: m.bucket(l.OnDemandReadBytes, now)}
		m.streams[at.Stream] = b
	}
	return b
}

// Write reports whether a record of n bytes (data and partition key) may be written to
// at, and if so takes its bytes and its count from the shard's buckets and, on an
// ON_DEMAND stream, from the stream's.
func (m *Meter) Write(at Shard, n int) bool {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	sh, st := m.shard(at, now), m.stream(at, now)
	takes := [...]struct {
		b *Bucket
		n int64
	}{{sh.writeBytes, int64(n)}, {sh.writeRecords, 1}, {}, {}}
	if st != nil {
		takes[2].b, takes[2].n = st.writeBytes, int64(n)
		takes[3].b, takes[3].n = st.writeRecords, 1
	}
	for _, t := range takes {
		if t.b != nil && !t.b.CanTake(now, t.n) {
			return false
		}
	}
	for _, t := range takes {
		if t.b != nil {
			t.b.Take(now, t.n)
		}
	}
	return true
}

// Read reports whether a GetRecords call on at may go ahead: the shard (and an ON_DEMAND
// stream) owes no read bytes and the shard has a call left, which it takes.
func (m *Meter) Read(at Shard) bool {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	sh, st := m.shard(at, now), m.stream(at, now)
	switch {
	case owes(sh.readBytes, now), st != nil && owes(st.readBytes, now):
		return false
	case sh.readCalls != nil:
		return sh.readCalls.Take(now, 1)
	}
	return true
}

// ReadDone charges the n bytes (data and partition keys) a GetRecords call on at returned.
func (m *Meter) ReadDone(at Shard, n int) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	sh, st := m.shard(at, now), m.stream(at, now)
	if sh.readBytes != nil {
		sh.readBytes.Charge(now, int64(n))
	}
	if st != nil && st.readBytes != nil {
		st.readBytes.Charge(now, int64(n))
	}
}

func owes(b *Bucket, now time.Time) bool { return b != nil && b.Owes(now) }

// Iterator reports whether a GetShardIterator call on at may go ahead, and if so takes it.
func (m *Meter) Iterator(at Shard) bool {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.shard(at, now).iteratorCalls
	return b == nil || b.Take(now, 1)
}

// Control reports whether a call of the operation op (naming stream, or "") may go ahead,
// and if so takes it. Operations without a rate always may.
func (m *Meter) Control(op, stream string) bool {
	r, ok := m.limits.Control[op]
	if !ok || r.Count <= 0 || r.Per <= 0 {
		return true
	}
	key := op
	if r.Shared != "" {
		key = r.Shared
	}
	if r.PerStream {
		key += "\x00" + stream
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.control[key]
	if b == nil {
		b = NewBucket(r.Rate, now)
		m.control[key] = b
	}
	return b.Take(now, 1)
}
