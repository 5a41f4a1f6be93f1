package console

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/shardlog/shardlog/internal/metrics"
)

// The throughput charts keep, for each stream and for each shard of the streams with
// shard-level metrics on, the rates between successive readings of the counters of
// /metrics in a ring of the last 15 minutes. Memory: 32 bytes a point, 450 points a
// series at the default interval, so 14 KiB a stream and as much again a shard while
// its stream has shard-level metrics on (14 MiB for 1,000 such shards).

// point is the rates between two readings, per second, and the iterator age of the
// latest GetRecords call. It encodes as an array: [at (Unix ms), in records, in bytes,
// out records, out bytes, iterator age (ms)].
type point struct {
	At                   int64
	InRecords, InBytes   float32
	OutRecords, OutBytes float32
	AgeMs                int64
}

func (p point) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64)
	b = append(b, '[')
	b = strconv.AppendInt(b, p.At, 10)
	for _, f := range [...]float32{p.InRecords, p.InBytes, p.OutRecords, p.OutBytes} {
		b = append(b, ',')
		b = strconv.AppendFloat(b, float64(f), 'f', 2, 32)
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, p.AgeMs, 10)
	return append(b, ']'), nil
}

// series is a ring of points and the reading the next point is measured from.
type series struct {
	last   metrics.Totals
	lastAt time.Time
	ring   []point
	next   int // where the next point goes
	full   bool
}

func (s *series) add(now time.Time, t metrics.Totals, size int) {
	if !s.lastAt.IsZero() {
		secs := float32(now.Sub(s.lastAt).Seconds())
		if secs > 0 {
			s.push(point{At: now.UnixMilli(),
				InRecords:  rate(s.last.IncomingRecords, t.IncomingRecords, secs),
				InBytes:    rate(s.last.IncomingBytes, t.IncomingBytes, secs),
				OutRecords: rate(s.last.OutgoingRecords, t.OutgoingRecords, secs),
				OutBytes:   rate(s.last.OutgoingBytes, t.OutgoingBytes, secs),
				AgeMs:      t.IteratorAgeMs}, size)
		}
	}
	s.last, s.lastAt = t, now
}

// rate is the rate of a counter from then to now; a counter that went back was made
// again (its stream deleted and created), and counts from zero.
func rate(then, now uint64, secs float32) float32 {
	if now < then {
		then = 0
	}
	return float32(now-then) / secs
}

func (s *series) push(p point, size int) {
	if s.ring == nil {
		s.ring = make([]point, size)
	}
	s.ring[s.next] = p
	s.next = (s.next + 1) % size
	s.full = s.full || s.next == 0
}

// points returns the points oldest first.
func (s *series) points() []point {
	if !s.full {
		return append([]point(nil), s.ring[:s.next]...)
	}
	return append(append([]point(nil), s.ring[s.next:]...), s.ring[:s.next]...)
}

func (s *series) latest() *point {
	if s.next == 0 && !s.full {
		return nil
	}
	p := s.ring[(s.next+len(s.ring)-1)%len(s.ring)]
	return &p
}

type streamSeries struct {
	series
	shards    map[string]*series
	consumers map[string]*consumerSeries // consumers.go
}

// rates holds the series of every stream.
type rates struct {
	size int // points a series keeps

	mu      sync.Mutex
	streams map[string]*streamSeries
	prevAt  time.Time // the reading before the latest; zero before the first
}

func newRates(size int) *rates {
	return &rates{size: max(size, 2), streams: map[string]*streamSeries{}}
}

// sample adds the readings taken at now. Streams and shards that are no longer counted
// (deleted, or shard-level metrics turned off) leave the charts.
//
// Counters are made from zero at a stream's first call after start (or a shard's, once
// shard-level metrics are on): a series that appears between two readings starts from
// zero at the earlier one, so that the calls that made it count in its first rate.
func (r *rates) sample(now time.Time, counts []metrics.Counts) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() { r.prevAt = now }()
	seen := make(map[string]bool, len(counts))
	for _, c := range counts {
		seen[c.Stream] = true
		ss := r.streams[c.Stream]
		if ss == nil {
			ss = &streamSeries{series: series{lastAt: r.prevAt}}
			r.streams[c.Stream] = ss
		}
		ss.add(now, c.Totals, r.size)
		ss.sampleConsumers(now, r.prevAt, c.Consumers)
		if c.Shards == nil {
			ss.shards = nil
			continue
		}
		if ss.shards == nil {
			ss.shards = map[string]*series{}
		}
		for id, t := range c.Shards {
			sh := ss.shards[id]
			if sh == nil {
				sh = &series{lastAt: r.prevAt}
				ss.shards[id] = sh
			}
			sh.add(now, t, r.size)
		}
	}
	for name := range r.streams {
		if !seen[name] {
			delete(r.streams, name)
		}
	}
}

func (r *rates) latest(stream string) *point {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ss := r.streams[stream]; ss != nil {
		return ss.latest()
	}
	return nil
}

// chart is the answer of /console/api/rates.
type chart struct {
	IntervalMs int64
	Stream     []point
	Shards     map[string][]point `json:",omitempty"`
	// Consumers has the latest point of each enhanced fan-out consumer (consumers.go).
	Consumers map[string]consumerPoint `json:",omitempty"`
}

func (r *rates) chart(stream string, interval time.Duration) chart {
	r.mu.Lock()
	defer r.mu.Unlock()
	ch := chart{IntervalMs: interval.Milliseconds(), Stream: []point{}}
	ss := r.streams[stream]
	if ss == nil {
		return ch
	}
	ch.Stream = ss.points()
	ch.Consumers = ss.latestConsumers()
	if ss.shards != nil {
		ch.Shards = make(map[string][]point, len(ss.shards))
		for id, sh := range ss.shards {
			ch.Shards[id] = sh.points()
		}
	}
	return ch
}

// serveRates answers the throughput charts of one stream.
func (c *Console) serveRates(w http.ResponseWriter, r *http.Request) {
	ch := c.rates.chart(r.URL.Query().Get("stream"), c.opts.SampleInterval)
	writeJSON(w, http.StatusOK, map[string]any{"Enabled": c.opts.Counts != nil, "Chart": ch})
}
