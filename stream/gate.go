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

	// Account and Region are the stream's: a Gate shared by the Stores of several
	// accounts and regions keeps their streams of the same name apart with them.
	Account, Region string
}

// gateShard returns the GateShard of shard id in the stream of info.
func gateShard(info *StreamInfo, id string) GateShard {
	return GateShard{Stream: info.Name, ShardID: id, OnDemand: info.Mode == ModeOnDemand,
		Account: info.Account, Region: info.Region}
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
// ErrorCode and ErrorMessage AWS gives a throttled or failed record, and the shard that
// refused it, for the shard-level metrics (the answer does not carry it).
func refusedRecord(typ, id string, info *StreamInfo) PutResult {
	e := refusedBy(typ, id, info, false)
	if typ == kinesis.TypeInternalFailure {
		e.Message = internalFailureMessage
	}
	return PutResult{ShardID: id, ErrorCode: e.Type, ErrorMessage: e.Message, err: e}
}

// gateRecords asks the Gate about every routed entry of a PutRecords, in request order,
// and returns the indexes of those it refused, with their results.
func (s *Store) gateRecords(v *streamView, b *batcher, in putInput) (refused []int, results []PutResult) {
	for i := range in.recs {
		id := b.shards[i].id
		if typ := s.opts.Gate.Write("PutRecords", gateShard(v.info, id), len(in.recs[i].PartitionKey)+in.dataLen(i)); typ != "" {
			refused = append(refused, i)
			results = append(results, refusedRecord(typ, id, v.info))
		}
	}
	return refused, results
}

// putGated is put for a store with a Gate: it writes the entries the Gate lets through
// and fails the others one by one, with nothing of them written. When the Gate refuses
// nothing, it costs put nothing more than the questions.
func (s *Store) putGated(e *streamEntry, v *streamView, b *batcher, in putInput, results []PutResult) ([]PutResult, error) {
	refused, failed := s.gateRecords(v, b, in)
	if len(refused) == 0 {
		return s.put(e, v, b, in, results)
	}
	out := make([]PutResult, len(in.recs))
	keep := make([]int, 0, len(in.recs)-len(refused))
	for i, k := 0, 0; i < len(in.recs); i++ {
		if k < len(refused) && refused[k] == i {
			out[i] = failed[k]
			k++
			continue
		}
		b.shards[len(keep)] = b.shards[i] // the batcher's routes of the kept entries, in order
		keep = append(keep, i)
	}
	if len(keep) > 0 {
		b.shards = b.shards[:len(keep)]
		written, err := s.put(e, v, b, in.pick(keep), nil)
		if err != nil {
			return results, err
		}
		for k, i := range keep {
			out[i] = written[k]
		}
	}
	return append(results, out...), nil
}
