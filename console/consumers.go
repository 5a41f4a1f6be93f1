package console

import (
	"strconv"
	"time"

	"github.com/shardlog/shardlog/internal/metrics"
)

// The Throughput view shows, beside the iterator age of the GetRecords readers, what each
// enhanced fan-out consumer of the stream is pushed (SubscribeToShard): events, records and
// bytes a second between two readings of the counters of /metrics, and its
// MillisBehindLatest, the largest of the last one to two minutes (the Maximum statistic
// /metrics reports). Only the latest reading of each consumer is kept.

// consumerPoint is a consumer's rates between two readings and its state at the later
// one. It encodes as an array: [at (Unix ms), events/s, records/s, bytes/s,
// MillisBehindLatest max (ms), open subscriptions].
type consumerPoint struct {
	At                      int64
	Events, Records, Bytes  float32
	MillisBehindLatestMaxMs int64
	Subscriptions           int64
}

func (p consumerPoint) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64)
	b = append(b, '[')
	b = strconv.AppendInt(b, p.At, 10)
	for _, f := range [...]float32{p.Events, p.Records, p.Bytes} {
		b = append(b, ',')
		b = strconv.AppendFloat(b, float64(f), 'f', 2, 32)
	}
	for _, n := range [...]int64{p.MillisBehindLatestMaxMs, p.Subscriptions} {
		b = append(b, ',')
		b = strconv.AppendInt(b, n, 10)
	}
	return append(b, ']'), nil
}

// consumerSeries is the latest point of a consumer and the reading the next is measured
// from.
type consumerSeries struct {
	last   metrics.ConsumerTotals
	lastAt time.Time
	latest *consumerPoint
}

func (s *consumerSeries) add(now time.Time, t metrics.ConsumerTotals) {
	if !s.lastAt.IsZero() {
		if secs := float32(now.Sub(s.lastAt).Seconds()); secs > 0 {
			s.latest = &consumerPoint{At: now.UnixMilli(),
				Events:                  rate(s.last.Events, t.Events, secs),
				Records:                 rate(s.last.Records, t.Records, secs),
				Bytes:                   rate(s.last.Bytes, t.Bytes, secs),
				MillisBehindLatestMaxMs: t.MillisBehindLatestMaxMs,
				Subscriptions:           t.Subscriptions}
		}
	}
	s.last, s.lastAt = t, now
}

// sampleConsumers adds the reading of the consumers of ss taken at now; prevAt is the
// reading before, from which a consumer that appeared since counts.
func (ss *streamSeries) sampleConsumers(now, prevAt time.Time, consumers map[string]metrics.ConsumerTotals) {
	if consumers == nil {
		ss.consumers = nil
		return
	}
	if ss.consumers == nil {
		ss.consumers = map[string]*consumerSeries{}
	}
	for name, t := range consumers {
		cs := ss.consumers[name]
		if cs == nil {
			cs = &consumerSeries{lastAt: prevAt}
			ss.consumers[name] = cs
		}
		cs.add(now, t)
	}
	for name := range ss.consumers {
		if _, ok := consumers[name]; !ok {
			delete(ss.consumers, name)
		}
	}
}

// latestConsumers returns the latest point of each consumer of ss that has one.
func (ss *streamSeries) latestConsumers() map[string]consumerPoint {
	if len(ss.consumers) == 0 {
		return nil
	}
	out := make(map[string]consumerPoint, len(ss.consumers))
	for name, cs := range ss.consumers {
		if cs.latest != nil {
			out[name] = *cs.latest
		}
	}
	return out
}
