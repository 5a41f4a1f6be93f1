package streambackend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/stream"
)

// TestDryRun_DataPlane: PutRecord, PutRecords, GetShardIterator and GetRecords with DryRun
// are checked as usual and then answer DryRunOperationException, having changed nothing:
// the data directory is as it was and the stream holds the records it held. A request
// that would have failed fails as it would without DryRun.
func TestDryRun_DataPlane(t *testing.T) {
	ctx := context.Background()
	client, st := mustServeStream(t, stream.Options{})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	put, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("one")})
	require.NoError(t, err)
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	require.NoError(t, err)
	before := testutil.TreeState(t, st.Dir())

	dry := aws.Bool(true)
	outside := "1" + strings.Repeat("0", 45) // between the legacy and the current layouts of a sequence number
	const dryMsg = "Request would have succeeded, but DryRun flag is set."
	tests := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"PutRecord", func() error {
			_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"),
				Data: []byte("two"), SequenceNumberForOrdering: put.SequenceNumber, DryRun: dry})
			return err
		}, "DryRunOperationException", dryMsg},
		{"PutRecord by ARN", func() error {
			_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
				PartitionKey: aws.String("k"), Data: []byte("two"), DryRun: dry})
			return err
		}, "DryRunOperationException", dryMsg},
		{"PutRecords", func() error {
			_, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), DryRun: dry, Records: []types.PutRecordsRequestEntry{
				{PartitionKey: aws.String("a"), Data: []byte("two")}, {PartitionKey: aws.String("b"), Data: []byte("three"), ExplicitHashKey: aws.String("7")}}})
			return err
		}, "DryRunOperationException", dryMsg},
		{"GetShardIterator", func() error {
			_, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
				ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: put.SequenceNumber, DryRun: dry})
			return err
		}, "DryRunOperationException", dryMsg},
		{"GetRecords", func() error {
			_, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, DryRun: dry})
			return err
		}, "DryRunOperationException", dryMsg},
		{"PutRecord to no stream", func() error {
			_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("nope"), PartitionKey: aws.String("k"), Data: []byte("x"), DryRun: dry})
			return err
		}, "ResourceNotFoundException", "Stream nope under account 000000000000 not found."},
		{"PutRecord with a bad SequenceNumberForOrdering", func() error {
			_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x"),
				SequenceNumberForOrdering: aws.String(outside), DryRun: dry})
			return err
		}, "InvalidArgumentException", "ExclusiveMinimumSequenceNumber " + outside + " used in PutRecord on stream s under account 000000000000 is invalid."},
		{"PutRecords with a bad hash key", func() error {
			_, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), DryRun: dry, Records: []types.PutRecordsRequestEntry{
				{PartitionKey: aws.String("a"), Data: []byte("x"), ExplicitHashKey: aws.String("340282366920938463463374607431768211456")}}})
			return err
		}, "InvalidArgumentException", "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. " +
			"Specified value was 340282366920938463463374607431768211456"},
		{"GetShardIterator of no shard", func() error {
			_, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000003"),
				ShardIteratorType: types.ShardIteratorTypeLatest, DryRun: dry})
			return err
		}, "ResourceNotFoundException", "Shard shardId-000000000003 in stream s under account 000000000000 does not exist"},
		{"GetRecords with a bad iterator", func() error {
			_, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAAAAAAAE="), DryRun: dry})
			return err
		}, "InvalidArgumentException", "Invalid ShardIterator."},
		{"GetRecords of another stream's ARN", func() error {
			_, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, DryRun: dry,
				StreamARN: aws.String("arn:aws:kinesis:us-east-1:111111111111:stream/s")})
			return err
		}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.code == "" { // refused, whatever the words: only that it is not a dry run's success
				require.Error(t, err)
				require.NotErrorAs(t, err, new(*types.DryRunOperationException))
				return
			}
			requireSDKError(t, err, tt.code, tt.msg)
			if tt.code == "DryRunOperationException" {
				require.ErrorAs(t, err, new(*types.DryRunOperationException))
			}
		})
	}
	require.Equal(t, before, testutil.TreeState(t, st.Dir()), "a dry run changed the data directory")
	records := readShard(t, client, "s", "shardId-000000000000")
	require.Len(t, records, 1, "a dry run wrote a record")
	require.Equal(t, "one", string(records[0].Data))
}
