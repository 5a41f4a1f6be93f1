package shardlogtest_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardlog/shardlog/shardlogtest"
)

// BenchmarkCycle is what a test that makes its own stream costs on a shared server: one
// op is CreateStream, PutRecord, GetShardIterator, GetRecords of that record and
// DeleteStream, through the SDK over loopback HTTP, with the package's defaults (no fsync
// of records or metadata, no status delays). The sub-benchmark sync=always is a durable
// server: an fdatasync per write, and the syncs of the catalog, manifests and directories
// that creating and deleting a stream make.
func BenchmarkCycle(b *testing.B) {
	for _, sync := range []string{"none", "always"} {
		b.Run("sync="+sync, func(b *testing.B) {
			srv := shardlogtest.New(b, shardlogtest.Options{Sync: sync})
			ctx := context.Background()
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				i++
				cycle(b, ctx, srv.Client, "cycle-"+strconv.Itoa(i))
			}
		})
	}
}

// cycle creates a stream, writes a record, reads it back and deletes the stream.
func cycle(b testing.TB, ctx context.Context, kc *kinesis.Client, name string) {
	_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)})
	if err != nil {
		b.Fatal(err)
	}
	put, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: []byte("record")})
	if err != nil {
		b.Fatal(err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: put.ShardId,
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		b.Fatal(err)
	}
	got, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		b.Fatal(err)
	}
	if len(got.Records) != 1 {
		b.Fatalf("GetRecords returned %d records, want 1", len(got.Records))
	}
	if _, err := kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name)}); err != nil {
		b.Fatal(err)
	}
}
