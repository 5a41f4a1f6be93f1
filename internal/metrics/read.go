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
