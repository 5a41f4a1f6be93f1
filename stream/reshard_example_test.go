package stream_test

import (
	"fmt"
	"log"
	"os"

	"github.com/shardlog/shardlog/stream"
)

// Resharding: a shard is split while it holds records; a consumer reads the parent to its
// end, where GetRecords gives no next iterator and names the children, and goes on with
// them. With Options.UpdateDelay the split would wait that long, the stream UPDATING and
// the parent taking writes.
func ExampleStore_SplitShard() {
	dataDir, err := os.MkdirTemp("", "shardlog-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dataDir)

	s, err := stream.Open(dataDir, stream.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateStream("orders", stream.StreamConfig{ShardCount: 1}); err != nil {
		log.Fatal(err)
	}
	put := func(key, data string) string {
		r, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "orders", Entry: stream.PutEntry{PartitionKey: key, Data: []byte(data)}})
		if err != nil {
			log.Fatal(err)
		}
		return r.ShardID
	}
	fmt.Println(put("customer-42", "first order"))

	// Split at 2^127: the first child takes the lower half of the hash keys.
	if err := s.SplitShard("orders", "shardId-000000000000", "170141183460469231731687303715884105728"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(put("customer-42", "second order"))

	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "orders",
		ShardID: "shardId-000000000000", Type: stream.TrimHorizon})
	if err != nil {
		log.Fatal(err)
	}
	res, err := s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, printer{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.NextShardIterator == "")
	for _, child := range res.ChildShards {
		fmt.Println(child.ID, "parent", child.ParentID, "from", child.HashKeyRange.Start)
	}
	// Output:
	// shardId-000000000000
	// shardId-000000000002
	// customer-42 first order
	// true
	// shardId-000000000001 parent shardId-000000000000 from 0
	// shardId-000000000002 parent shardId-000000000000 from 170141183460469231731687303715884105728
}
