package stream_test

import (
	"fmt"
	"log"
	"os"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// A stream of two shards: save it in the catalog, route a record, render its sequence
// number, and hand out an iterator for it.
func Example() {
	dataDir, err := os.MkdirTemp("", "shardlog-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dataDir)

	const nowMs = 1613588284000
	cat, err := stream.OpenCatalog(dataDir)
	if err != nil {
		log.Fatal(err)
	}
	info := stream.StreamInfo{
		Name: "orders", Incarnation: 1, Region: "us-east-1", Account: "000000000000",
		Status: stream.StatusActive, CreatedMs: nowMs, RetentionHours: kinesis.DefaultRetentionHours,
		Mode: stream.ModeProvisioned, Encryption: stream.EncryptionNone,
		MaxRecordSizeKiB: kinesis.DefaultMaxRecordSizeKiB,
		Shards:           stream.InitialShards(2, nowMs/1000), NextShardIndex: 2,
	}
	if err := cat.Save(&info); err != nil {
		log.Fatal(err)
	}

	// PutRecord: route the partition key, append at some offset, answer with the number.
	index := stream.NewRouter(info.Shards).Route(kinesis.HashPartitionKey([]byte("customer-42")))
	shard := info.Shard(index)
	seq := kinesis.SequenceNumber{ShardCreatedSec: shard.CreatedSec, ShardIndex: int32(index), Counter: 0, TimeSec: nowMs / 1000}
	fmt.Println(shard.ID, seq)

	// GetShardIterator AT_SEQUENCE_NUMBER: the number gives the offset back, sealed in an iterator.
	parsed, err := kinesis.ParseSequenceNumber(seq.String())
	if err != nil {
		log.Fatal(err)
	}
	keys, err := stream.OpenIteratorKey(dataDir)
	if err != nil {
		log.Fatal(err)
	}
	iterator := keys.Seal(stream.Iterator{Stream: info.Name, Incarnation: info.Incarnation,
		ShardIndex: int(parsed.ShardIndex), Offset: parsed.Counter, IssuedMs: nowMs})

	// GetRecords: open the iterator; five minutes later it has expired.
	it, err := keys.Open(iterator, nowMs+1000)
	fmt.Println(it.Stream, it.ShardIndex, it.Offset, err)
	_, err = keys.Open(iterator, nowMs+300001)
	fmt.Println(err.(*kinesis.Error).Type)
	// Output:
	// shardId-000000000001 49615604846559836492928056432307751525402788338258149394
	// orders 1 0 <nil>
	// ExpiredIteratorException
}
