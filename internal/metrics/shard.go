package metrics

import "sync/atomic"

// The shard-level metrics of EnableEnhancedMonitoring, by their CloudWatch names.
const (
	IncomingBytes                      = "IncomingBytes"
	IncomingRecords                    = "IncomingRecords"
	OutgoingBytes                      = "OutgoingBytes"
	OutgoingRecords                    = "OutgoingRecords"
	WriteProvisionedThroughputExceeded = "WriteProvisionedThroughputExceeded"
	ReadProvisionedThroughputExceeded  = "ReadProvisionedThroughputExceeded"
	IteratorAgeMilliseconds            = "IteratorAgeMilliseconds"
)

// shardMetrics lists them in the order of their bits in Stream.shardLevel.
var shardMetrics = [...]string{IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords,
	WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds}

// bit returns the bit of a shard-level metric, 0 for an unknown name.
func bit(name string) uint32 {
	for i, m := range shardMetrics {
		if m == name {
			return 1 << i
		}
	}
	return 0
}

// shardCounters counts the calls of one shard of a stream with shard-level metrics on.
type shardCounters struct {
	incomingBytes, incomingRecords atomic.Uint64
	outgoingBytes, outgoingRecords atomic.Uint64
	writeExceeded, readExceeded    atomic.Uint64
	iteratorAgeMs                  atomic.Int64
	iteratorAgeMax                 windowMax
}

// SetShardLevel sets the shard-level metrics reported for the stream: those
// EnableEnhancedMonitoring and DisableEnhancedMonitoring left on ("ALL" stands for every
// one). Counting per shard starts now; a shard's counters stay while any metric is on.
func (s *Stream) SetShardLevel(names []string) {
	var bits uint32
	for _, n := range names {
		if n == "ALL" {
			bits = 1<<len(shardMetrics) - 1
			break
		}
		bits |= bit(n)
	}
	s.shardLevel.Store(bits)
	if bits == 0 {
		s.shards.Clear()
	}
}

// ShardLevel reports whether any shard-level metric is on: only then need a caller tell
// ShardIncoming where each record of a PutRecords went.
func (s *Stream) ShardLevel() bool { return s.shardLevel.Load() != 0 }

// ShardIncoming counts records of bytes that went to shardID, when shard-level metrics are on.
func (s *Stream) ShardIncoming(shardID string, records, bytes int) {
	if s.shardLevel.Load() == 0 {
		return
	}
	sh := s.shard(shardID)
	sh.incomingRecords.Add(uint64(records))
	sh.incomingBytes.Add(uint64(bytes))
}

// ShardWriteExceeded counts a record that shardID refused with
// ProvisionedThroughputExceededException, when that shard-level metric is on. PutRecord
// counts its own; PutRecords leaves them to its caller, which alone knows the shards.
func (s *Stream) ShardWriteExceeded(shardID string) {
	if s.shardLevel.Load()&bit(WriteProvisionedThroughputExceeded) == 0 || shardID == "" {
		return
	}
	s.shard(shardID).writeExceeded.Add(1)
}

func (s *Stream) shard(id string) *shardCounters {
	if sh, ok := s.shards.Load(id); ok {
		return sh.(*shardCounters)
	}
	sh, _ := s.shards.LoadOrStore(id, new(shardCounters))
	return sh.(*shardCounters)
}
