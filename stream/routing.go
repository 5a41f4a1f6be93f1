package stream

import (
	"bytes"

	"github.com/shardlog/shardlog/kinesis"
)

// The write path finds each record's shard. It hashes a partition key only when the
// answer depends on it: a stream with one open shard (whose range is then the whole hash
// key space) takes every record there, and a record whose partition key is the one of the
// record before it goes where that one went, which spares producers that batch records of
// one key the MD5 of each. The hash key is not kept: routing is its only use.

// routeLogs returns the log of each of v's open shards in the router's order.
func routeLogs(v *streamView) []*shardLog {
	open := make([]*shardLog, len(v.router.indexes))
	for i, index := range v.router.indexes {
		_, open[i] = v.shard(index)
	}
	return open
}

// keyRouter routes the records of one request by partition key, remembering the last key.
type keyRouter struct {
	v       *streamView
	lastKey []byte
	last    *shardLog // where lastKey goes; nil before the first key
}

// route returns the log of the open shard that owns the hash of partitionKey.
func (k *keyRouter) route(partitionKey []byte) *shardLog {
	if len(k.v.open) == 1 {
		return k.v.open[0]
	}
	if k.last != nil && bytes.Equal(partitionKey, k.lastKey) {
		return k.last
	}
	k.lastKey = partitionKey
	k.last = k.v.open[k.v.router.position(kinesis.HashPartitionKey(partitionKey))]
	return k.last
}
