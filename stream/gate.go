package stream

import (
	"github.com/shardlog/shardlog/kinesis"
)

// Gate decides, where the store knows which shard a request uses, whether the request
// goes ahead: the throughput quotas of `shardlog serve --limits aws` and the faults of
// --inject are Gates. Each method but ReadDone returns "" to let the request through, or
// the Kinesis error type to refuse it with; the store words the error (refusedBy) and has
// changed nothing when it answers it.
//
// With Options.Gate nil, the store's only cost is the nil check; a Gate is called
// concurrently, from every request.
type Gate interface {
	// Write is asked for each record of PutRecord and PutRecords (op), in request
	// order, before any is written; bytes are its data and partition key. The
	// records of PutRecords it refuses fail one by one, and the others are written.
	Write(op string, at GateShard, bytes int) string

	// Read is asked before GetRecords reads, and ReadDone told afterwards the bytes
	// (data and partition keys) of the records it returned.
	Read(at GateShard) string
	ReadDone(at GateShard, bytes int)

	// Iterator is asked before GetShardIterator issues an iterator.
	Iterator(at GateShard) string
}

// GateShard is the shard a Gate is asked about.
type GateShard struct {
	Stream   string
	ShardID  string
	OnDemand bool // the stream is ON_DEMAND
}

// gateShard returns the GateShard of shard id in the stream of info.
func gateShard(info *StreamInfo, id string) GateShard {
	return GateShard{Stream: info.Name, ShardID: id, OnDemand: info.Mode == ModeOnDemand}
}

// refusedBy is the error of a request the Gate refused with an error of type typ on
// shard id of the stream of info: a throttled shard in AWS's words, a server fault
// without a message (as AWS answers InternalFailure), anything else with its type.
func refusedBy(typ, id string, info *StreamInfo, read bool) *kinesis.Error {
	switch {
	case typ == kinesis.TypeProvisionedThroughputExceeded && read:
		return shardReadRateExceeded(id, info.Name, info.Account)
	case typ == kinesis.TypeProvisionedThroughputExceeded:
		return shardRateExceeded(id, info.Name, info.Account)
	}
	return &kinesis.Error{Type: typ}
}

// refusedRecord is the result of a PutRecords record the Gate refused with typ: the
// ErrorCode and ErrorMessage AWS gives a throttled or failed record.
func refusedRecord(typ, id string, info *StreamInfo) PutResult {
	e := refusedBy(typ, id, info, false)
	if typ == kinesis.TypeInternalFailure {
		e.Message = internalFailureMessage
	}
	return PutResult{ErrorCode: e.Type, ErrorMessage: e.Message, err: e}
}

// gateRecords asks the Gate about every routed entry of a PutRecords and returns the
// indexes of those it let through, with the result of each refused one already in out
// (which has one element per entry).
func (s *Store) gateRecords(v *streamView, b *batcher, in putInput, out []PutResult) []int {
	keep := make([]int, 0, len(in.recs))
	for i := range in.recs {
		id := b.shards[i].id
		r := &in.recs[i]
		if typ := s.opts.Gate.Write("PutRecords", gateShard(v.info, id), len(r.PartitionKey)+len(r.Data)); typ != "" {
			out[i] = refusedRecord(typ, id, v.info)
			continue
		}
		keep = append(keep, i)
	}
	return keep
}

// putGated is put for a store with a Gate: it writes the entries the Gate lets through
// and fails the others one by one, with nothing of them written.
func (s *Store) putGated(e *streamEntry, v *streamView, b *batcher, in putInput, results []PutResult) []PutResult {
	out := make([]PutResult, len(in.recs))
	keep := s.gateRecords(v, b, in, out)
	if len(keep) == len(in.recs) {
		return s.put(e, v, b, in, results)
	}
	if len(keep) > 0 {
		for k, i := range keep { // the batcher's routes of the kept entries, in order
			b.shards[k] = b.shards[i]
		}
		b.shards = b.shards[:len(keep)]
		written := s.put(e, v, b, in.pick(keep), nil)
		for k, i := range keep {
			out[i] = written[k]
		}
	}
	return append(results, out...)
}
