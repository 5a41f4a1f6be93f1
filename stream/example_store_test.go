package stream_test

import (
	"fmt"
	"log"
	"os"

	"github.com/shardlog/shardlog/stream"
)

// printer is a RecordSink that prints what it gets.
type printer struct{}

func (printer) Record(seq []byte, arrivalMs int64, key, data []byte) error {
	fmt.Printf("%s %s\n", key, data)
	return nil
}

// The main flow of a Store: create a stream, write records, and read them back from the
// oldest one.
func ExampleStore() {
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
	if err := s.CreateStream("orders", stream.StreamConfig{ShardCount: 2}); err != nil {
		log.Fatal(err)
	}

	results, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "orders", Entries: []stream.PutEntry{
		{PartitionKey: "customer-42", Data: []byte("first order")},
		{PartitionKey: "customer-42", Data: []byte("second order")},
	}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(results[0].ShardID, results[1].SequenceNumber.Counter)

	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "orders",
		ShardID: results[0].ShardID, Type: stream.TrimHorizon})
	if err != nil {
		log.Fatal(err)
	}
	res, err := s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, printer{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.MillisBehindLatest, res.NextShardIterator != "")
	// Output:
	// shardId-000000000001 1
	// customer-42 first order
	// customer-42 second order
	// 0 true
}
