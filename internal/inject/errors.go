package inject

import "github.com/shardlog/shardlog/kinesis"

// Error is the error an injected failure of type typ answers a whole call with, when no
// shard is known to name: throttling in the words of a throttled stream (or account),
// server faults without a message, as AWS answers them. The store words the failures of
// the calls that use one shard (PutRecord, GetRecords, GetShardIterator) and of single
// records, naming the shard.
func Error(typ, stream, account string) *kinesis.Error {
	switch typ {
	case kinesis.TypeProvisionedThroughputExceeded, kinesis.TypeLimitExceeded:
		msg := "Rate exceeded for account " + account + "."
		if stream != "" {
			msg = "Rate exceeded for stream " + stream + " under account " + account + "."
		}
		return kinesis.NewError(typ, msg)
	}
	return &kinesis.Error{Type: typ}
}
