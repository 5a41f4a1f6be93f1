package shardlogtest_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/shardlog/shardlog/shardlogtest"
)

// publishOrder is the code under test: it writes an order to a Kinesis stream.
func publishOrder(ctx context.Context, kc *kinesis.Client, stream, id string) error {
	_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String(id), Data: []byte(id)})
	return err
}

// testPublishOrder is a test of your own, as it would be in your package (named
// TestPublishOrder there): New starts a server for it alone, with the stream it needs, and
// stops it when the test ends.
func testPublishOrder(t *testing.T) {
	srv := shardlogtest.New(t, shardlogtest.Options{
		Streams: []shardlogtest.Stream{{Name: "orders", Shards: 2}},
	})
	ctx := context.Background()
	if err := publishOrder(ctx, srv.Client, "orders", "order-1"); err != nil {
		t.Fatal(err)
	}
	d, err := srv.Client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if n := *d.StreamDescriptionSummary.OpenShardCount; n != 2 {
		t.Errorf("orders has %d open shards, want 2", n)
	}
}

// New in a test of your own: see testPublishOrder, which this package's TestNew runs.
func ExampleNew() {
	// func TestPublishOrder(t *testing.T) {
	//	srv := shardlogtest.New(t, shardlogtest.Options{
	//		Streams: []shardlogtest.Stream{{Name: "orders", Shards: 2}},
	//	})
	//	publishOrder(ctx, srv.Client, "orders", "order-1")
	//	…
	// }
}
