package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/sdkhttp"
	"github.com/shardlog/shardlog/internal/testutil"
	slkinesis "github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
)

// newSDKClient returns an AWS SDK for Go v2 Kinesis client for endpoint, with
// dummy static credentials and no retries, so that each call is one request.
func newSDKClient(endpoint string, hc *http.Client) *kinesis.Client {
	opts := kinesis.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	}
	opts.HTTPClient = sdkHTTPClient(hc)
	return kinesis.New(opts)
}

// sdkHTTPClient is the tests' HTTP client for SDK clients, which steers clear of a client
// race of aws-sdk-go-v2 (testutil.SDKHTTPClient).
func sdkHTTPClient(hc *http.Client) *sdkhttp.Client { return testutil.SDKHTTPClient(hc) }

// mustServeSDK starts the server on an httptest.Server (127.0.0.1, HTTP/1.1)
// and returns an SDK client for it.
func mustServeSDK(t *testing.T) (*kinesis.Client, *fakeBackend) {
	t.Helper()
	s, b := mustNew(t, server.Options{})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return newSDKClient(ts.URL, ts.Client()), b
}

// TestSDK_Operations proves that the SDK accepts our responses: every member it
// parses back equals what the Backend answered, and every member it sends
// reaches the Backend intact.
func TestSDK_Operations(t *testing.T) {
	ctx := context.Background()
	client, b := mustServeSDK(t)
	created := time.UnixMilli(1506440188749).UTC()

	t.Run("CreateStream", func(t *testing.T) {
		_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("a"), ShardCount: aws.Int32(2)})
		require.NoError(t, err)
		_, in := b.lastCall()
		require.Equal(t, &server.CreateStreamInput{StreamName: "a", ShardCount: aws.Int32(2)}, in)
	})

	t.Run("DescribeStream", func(t *testing.T) {
		b.setOutput("DescribeStream", &server.DescribeStreamOutput{StreamDescription: server.StreamDescription{
			StreamName: "a", StreamARN: arnA, StreamStatus: server.StreamStatusActive, RetentionPeriodHours: 24,
			StreamCreationTimestamp: created,
			StreamModeDetails:       &server.StreamModeDetails{StreamMode: server.StreamModeProvisioned},
			EnhancedMonitoring:      []server.EnhancedMetrics{{}},
			Shards: []server.Shard{{
				ShardId:      "shardId-000000000000",
				HashKeyRange: server.HashKeyRange{StartingHashKey: "0", EndingHashKey: "340282366920938463463374607431768211455"},
				SequenceNumberRange: server.SequenceNumberRange{
					StartingSequenceNumber: "49590338271490256608559692538361571095921575989136588898"},
			}},
		}})
		out, err := client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamARN: aws.String(arnA)})
		require.NoError(t, err)
		d := out.StreamDescription
		require.Equal(t, "a", *d.StreamName)
		require.Equal(t, types.StreamStatusActive, d.StreamStatus)
		require.Equal(t, created, d.StreamCreationTimestamp.UTC())
		require.Equal(t, types.StreamModeProvisioned, d.StreamModeDetails.StreamMode)
		require.Len(t, d.Shards, 1)
		require.Equal(t, "340282366920938463463374607431768211455", *d.Shards[0].HashKeyRange.EndingHashKey)
		require.Nil(t, d.Shards[0].SequenceNumberRange.EndingSequenceNumber)
		require.False(t, *d.HasMoreShards)
		_, in := b.lastCall()
		require.Equal(t, &server.DescribeStreamInput{StreamName: "a", StreamARN: arnA}, in)
	})

	t.Run("PutRecords", func(t *testing.T) {
		out, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("a"), Records: []types.PutRecordsRequestEntry{
			{Data: []byte("hello"), PartitionKey: aws.String("k1")},
			{Data: []byte{0, 0xff, '"', '\n'}, PartitionKey: aws.String("ключ"), ExplicitHashKey: aws.String("42")},
			{Data: []byte{}, PartitionKey: aws.String("k3")},
		}})
		require.NoError(t, err)
		require.Equal(t, int32(0), *out.FailedRecordCount)
		require.Len(t, out.Records, 3)
		require.Equal(t, "shardId-000000000000", *out.Records[2].ShardId)
		_, in := b.lastCall()
		require.Equal(t, &server.PutRecordsInput{StreamName: "a", Records: []server.PutRecordsRequestEntry{
			{Data: []byte("hello"), PartitionKey: "k1"},
			{Data: []byte{0, 0xff, '"', '\n'}, PartitionKey: "ключ", ExplicitHashKey: "42"},
			{Data: []byte{}, PartitionKey: "k3"},
		}}, in)
	})

	t.Run("PutRecord", func(t *testing.T) {
		b.setOutput("PutRecord", &server.PutRecordOutput{ShardId: "shardId-000000000001", SequenceNumber: "123"})
		out, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("a"), Data: []byte("x"), PartitionKey: aws.String("k")})
		require.NoError(t, err)
		require.Equal(t, "123", *out.SequenceNumber)
		require.Equal(t, "shardId-000000000001", *out.ShardId)
	})

	t.Run("GetShardIterator", func(t *testing.T) {
		b.setOutput("GetShardIterator", &server.GetShardIteratorOutput{ShardIterator: "AAAAAAAAAAE="})
		out, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
			StreamName: aws.String("a"), ShardId: aws.String("shardId-000000000000"),
			ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(created),
		})
		require.NoError(t, err)
		require.Equal(t, "AAAAAAAAAAE=", *out.ShardIterator)
		_, in := b.lastCall()
		require.Equal(t, created, *in.(*server.GetShardIteratorInput).Timestamp)
	})

	t.Run("GetRecords", func(t *testing.T) {
		b.records = []fakeRecord{
			{seq: "49590338271490256608559692538361571095921575989136588898", arrivalMs: 1506440188749, key: "k", data: "\x00\x01hello"},
			{seq: "49590338271490256608559692538361571095921575989136588899", arrivalMs: 1506440189000, key: "ключ", data: ""},
		}
		b.setOutput("GetRecords", &server.GetRecordsOutput{
			MillisBehindLatest: 7,
			ChildShards: []server.ChildShard{{ShardId: "shardId-000000000002", ParentShards: []string{"shardId-000000000000"},
				HashKeyRange: server.HashKeyRange{StartingHashKey: "0", EndingHashKey: "1"}}},
		})
		out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAAAAAAAE="), Limit: aws.Int32(100)})
		require.NoError(t, err)
		require.Len(t, out.Records, 2)
		require.Equal(t, []byte("\x00\x01hello"), out.Records[0].Data)
		require.Equal(t, int64(1506440188749), out.Records[0].ApproximateArrivalTimestamp.UnixMilli())
		require.Equal(t, int64(1506440189000), out.Records[1].ApproximateArrivalTimestamp.UnixMilli())
		require.Equal(t, "ключ", *out.Records[1].PartitionKey)
		require.Equal(t, "49590338271490256608559692538361571095921575989136588899", *out.Records[1].SequenceNumber)
		require.Nil(t, out.NextShardIterator, "a closed shard's end has no next iterator")
		require.Equal(t, int64(7), *out.MillisBehindLatest)
		require.Equal(t, []string{"shardId-000000000000"}, out.ChildShards[0].ParentShards)
		b.records = nil
	})

	t.Run("ListShards", func(t *testing.T) {
		b.setOutput("ListShards", &server.ListShardsOutput{Shards: []server.Shard{{ShardId: "shardId-000000000000"}}, NextToken: "n"})
		out, err := client.ListShards(ctx, &kinesis.ListShardsInput{
			StreamName: aws.String("a"), StreamARN: aws.String(arnA), MaxResults: aws.Int32(1000),
			ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest},
		})
		require.NoError(t, err)
		require.Equal(t, "n", *out.NextToken)
		require.Equal(t, "shardId-000000000000", *out.Shards[0].ShardId)
		_, in := b.lastCall()
		require.Equal(t, &server.ListShardsInput{StreamName: "a", StreamARN: arnA, MaxResults: aws.Int32(1000),
			ShardFilter: &server.ShardFilter{Type: server.ShardFilterTypeAtLatest}}, in)
	})

	t.Run("ListStreams", func(t *testing.T) {
		b.setOutput("ListStreams", &server.ListStreamsOutput{StreamNames: []string{"a"}, StreamSummaries: []server.StreamSummary{{
			StreamName: "a", StreamARN: arnA, StreamStatus: server.StreamStatusActive, StreamCreationTimestamp: created}}})
		out, err := client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		require.NoError(t, err)
		require.Equal(t, []string{"a"}, out.StreamNames)
		require.Equal(t, created, out.StreamSummaries[0].StreamCreationTimestamp.UTC())
	})

	t.Run("DescribeStreamSummary", func(t *testing.T) {
		b.setOutput("DescribeStreamSummary", &server.DescribeStreamSummaryOutput{StreamDescriptionSummary: server.StreamDescriptionSummary{
			StreamName: "a", StreamARN: arnA, StreamStatus: server.StreamStatusCreating, RetentionPeriodHours: 24,
			StreamCreationTimestamp: created, OpenShardCount: 0, ConsumerCount: aws.Int32(0)}})
		out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("a")})
		require.NoError(t, err)
		require.Equal(t, types.StreamStatusCreating, out.StreamDescriptionSummary.StreamStatus)
		require.Nil(t, out.StreamDescriptionSummary.StreamId)
	})

	t.Run("Tags", func(t *testing.T) {
		_, err := client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("a"), Tags: map[string]string{"k": "v"}})
		require.NoError(t, err)
		b.setOutput("ListTagsForStream", &server.ListTagsForStreamOutput{Tags: []server.Tag{{Key: "k", Value: "v"}}})
		out, err := client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("a")})
		require.NoError(t, err)
		require.Equal(t, "v", *out.Tags[0].Value)
		require.False(t, *out.HasMoreTags)
	})

	t.Run("DescribeLimits and UpdateShardCount", func(t *testing.T) {
		b.setOutput("DescribeLimits", &server.DescribeLimitsOutput{ShardLimit: 500, OnDemandStreamCountLimit: 50})
		lim, err := client.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
		require.NoError(t, err)
		require.Equal(t, int32(500), *lim.ShardLimit)
		b.setOutput("UpdateShardCount", &server.UpdateShardCountOutput{StreamName: "a", CurrentShardCount: 1, TargetShardCount: 2})
		up, err := client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("a"),
			TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling})
		require.NoError(t, err)
		require.Equal(t, int32(2), *up.TargetShardCount)
	})
}

// TestSDK_Errors proves that the SDK parses our errors into its typed errors,
// with our messages.
func TestSDK_Errors(t *testing.T) {
	ctx := context.Background()
	client, b := mustServeSDK(t)

	b.setError("DescribeStream", &kinesisError{"ResourceNotFoundException", "Stream x under account 000000000000 not found."})
	_, err := client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("x")})
	var rnf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &rnf)
	require.Equal(t, "Stream x under account 000000000000 not found.", rnf.ErrorMessage())

	b.setError("GetRecords", &slkinesis.Error{Type: "ExpiredIteratorException", Message: "Iterator expired."})
	_, err = client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAA")})
	var expired *types.ExpiredIteratorException
	require.ErrorAs(t, err, &expired)
	require.Equal(t, "Iterator expired.", expired.ErrorMessage())

	_, err = client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAA"), Limit: aws.Int32(10001)})
	var validation *types.ValidationException
	require.ErrorAs(t, err, &validation)
	require.Equal(t, "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: "+
		"Member must have value less than or equal to 10000", validation.ErrorMessage())

	_, err = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("b"), StreamARN: aws.String(arnA)})
	var invalid *types.InvalidArgumentException
	require.ErrorAs(t, err, &invalid)

	b.setError("ListStreams", errors.New("disk on fire"))
	_, err = client.ListStreams(ctx, &kinesis.ListStreamsInput{})
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "InternalFailure", apiErr.ErrorCode())
	var respErr *awshttp.ResponseError
	require.ErrorAs(t, err, &respErr)
	require.Equal(t, http.StatusInternalServerError, respErr.HTTPStatusCode())
}

// requireSDKError checks the code and message of an error the SDK returned.
func requireSDKError(t testing.TB, err error, code, msg string) {
	t.Helper()
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, code, apiErr.ErrorCode(), "error %v", err)
	require.Equal(t, msg, apiErr.ErrorMessage())
}
