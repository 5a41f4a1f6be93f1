package metrics

import "sort"

// Counts is a reading of one stream's counters, for a caller that keeps its own history
// of them (the web console's throughput charts): the same counters a scrape renders.
type Counts struct {
	Stream string
	Totals
	// Shards has the counters of each shard, only while the stream has shard-level
	// metrics on (EnableEnhancedMonitoring); nil otherwise.
	Shards map[string]Totals
	// Consumers has the counters of each enhanced fan-out consumer that has subscribed to
	// the stream's shards (SubscribeToShard), by consumer name; nil when none has.
	Consumers map[string]ConsumerTotals
}

// ConsumerTotals are the counters of one consumer's subscriptions since they were made.
type ConsumerTotals struct {
	Subscriptions           int64  // open now
	Events, Records, Bytes  uint64 // pushed to the consumer
	MillisBehindLatestMaxMs int64  // the largest MillisBehindLatest of this minute and the one before (0: none)
}

// Totals are the counters of a stream or a shard since they were made.
type Totals struct {
	IncomingBytes, IncomingRecords uint64 // IncomingBytes, IncomingRecords
	OutgoingBytes, OutgoingRecords uint64 // GetRecords.Bytes, GetRecords.Records
	IteratorAgeMs                  int64  // of the latest GetRecords call
}

// Read returns the counters of every stream of the scope that has any, by stream name.
func (s *Scope) Read() []Counts {
	var out []Counts
	s.streams.Range(func(_, v any) bool {
		out = append(out, v.(*Stream).read())
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Stream < out[j].Stream })
	return out
}

func (s *Stream) read() Counts {
	c := Counts{Stream: s.labels[0], Totals: Totals{
		IncomingBytes:   s.incomingBytes.Load(),
		IncomingRecords: s.incomingRecords.Load(),
		OutgoingBytes:   s.getRecordsBytes.Load(),
		OutgoingRecords: s.getRecordsRecords.Load(),
		IteratorAgeMs:   s.iteratorAgeMs.Load(),
	}}
	s.consumers.Range(func(k, v any) bool {
		if c.Consumers == nil {
			c.Consumers = map[string]ConsumerTotals{}
		}
		c.Consumers[k.(string)] = v.(*Consumer).read()
		return true
	})
	if s.shardLevel.Load() == 0 {
		return c
	}
	c.Shards = map[string]Totals{}
	s.shards.Range(func(k, v any) bool {
		sh := v.(*shardCounters)
		c.Shards[k.(string)] = Totals{
			IncomingBytes:   sh.incomingBytes.Load(),
			IncomingRecords: sh.incomingRecords.Load(),
			OutgoingBytes:   sh.outgoingBytes.Load(),
			OutgoingRecords: sh.outgoingRecords.Load(),
			IteratorAgeMs:   sh.iteratorAgeMs.Load(),
		}
		return true
	})
	return c
}

func (c *Consumer) read() ConsumerTotals {
	return ConsumerTotals{Subscriptions: c.open.Load(), Events: c.events.Load(), Records: c.records.Load(),
		Bytes: c.bytes.Load(), MillisBehindLatestMaxMs: c.millisBehind.value(c.now())}
}
