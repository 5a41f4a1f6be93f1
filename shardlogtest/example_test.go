package shardlogtest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardlog/shardlog/shardlogtest"
)

// A server with a stream of two shards: a record goes in and comes back out.
func Example() {
	srv, err := shardlogtest.Start(shardlogtest.Options{
		Streams: []shardlogtest.Stream{{Name: "orders", Shards: 2}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()

	put, err := srv.Client.PutRecord(ctx, &kinesis.PutRecordInput{
		StreamName: aws.String("orders"), PartitionKey: aws.String("customer-1"), Data: []byte("order 1")})
	if err != nil {
		log.Fatal(err)
	}
	it, err := srv.Client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String("orders"), ShardId: put.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		log.Fatal(err)
	}
	got, err := srv.Client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range got.Records {
		fmt.Printf("%s: %s\n", *r.PartitionKey, r.Data)
	}
	// Output: customer-1: order 1
}

// Reset between the tests that share a server deletes every stream at once, so the next
// test finds none and may create streams of the same names.
func ExampleServer_Reset() {
	srv, err := shardlogtest.Start(shardlogtest.Options{
		Streams: []shardlogtest.Stream{{Name: "orders"}, {Name: "events", Mode: "ON_DEMAND"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()

	if err := srv.Reset(); err != nil {
		log.Fatal(err)
	}
	list, err := srv.Client.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("streams after Reset:", len(list.StreamNames))

	_, err = srv.Client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
	fmt.Println("create orders again:", err)
	// Output:
	// streams after Reset: 0
	// create orders again: <nil>
}

// Status delays make the server behave as AWS does, for code that waits for a stream to
// become ACTIVE: here with the SDK's own waiter.
func ExampleOptions_delays() {
	srv, err := shardlogtest.Start(shardlogtest.Options{CreateDelay: 200 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()

	_, err = srv.Client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("slow"), ShardCount: aws.Int32(1)})
	if err != nil {
		log.Fatal(err)
	}
	d, err := srv.Client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("slow")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("at first:", d.StreamDescriptionSummary.StreamStatus)
	w := kinesis.NewStreamExistsWaiter(srv.Client, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = 50 * time.Millisecond })
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("slow")}, 10*time.Second); err != nil {
		log.Fatal(err)
	}
	fmt.Println("then: ACTIVE")
	// Output:
	// at first: CREATING
	// then: ACTIVE
}
