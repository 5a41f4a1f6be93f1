package streambackend_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	slkinesis "github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// The tests of streambackend drive a real stream.Store through the server with the AWS
// SDK for Go v2, over HTTP on 127.0.0.1, as a client would.

const streamT0 = int64(1700000000000) // the fake clock's start, ms

// streamClock is a fake clock for the store.
type streamClock struct {
	mu sync.Mutex
	ms int64
}

func (c *streamClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.UnixMilli(c.ms)
}

func (c *streamClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.ms += d.Milliseconds()
	c.mu.Unlock()
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// mustOpenStreamStore opens a store in a temporary directory, without fsyncs (durability
// is not what these tests are about), and closes it when the test ends.
func mustOpenStreamStore(t testing.TB, opts stream.Options) *stream.Store {
	t.Helper()
	opts.Shard.Sync = shard.SyncNone
	opts.Logger = discardLogger()
	st, err := stream.Open(t.TempDir(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	return st
}

// mustServeStream serves a store with the server on an httptest.Server and returns an SDK
// client for it (no retries: one call, one request).
func mustServeStream(t testing.TB, opts stream.Options) (*kinesis.Client, *stream.Store) {
	t.Helper()
	st := mustOpenStreamStore(t, opts)
	ts := httptest.NewServer(server.New(streambackend.New(st), server.Options{Logger: discardLogger()}))
	t.Cleanup(ts.Close)
	return newSDKClient(ts.URL, ts.Client()), st
}

// requireSDKError checks the code and message of an error the SDK returned.
func requireSDKError(t testing.TB, err error, code, msg string) {
	t.Helper()
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, code, apiErr.ErrorCode(), "error %v", err)
	require.Equal(t, msg, apiErr.ErrorMessage())
}

// readShard reads a shard from TRIM_HORIZON until a call returns no records.
func readShard(t testing.TB, client *kinesis.Client, name, shardID string) []types.Record {
	t.Helper()
	ctx := context.Background()
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
		ShardId: aws.String(shardID), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	require.NoError(t, err)
	var all []types.Record
	next := it.ShardIterator
	for next != nil {
		out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: next})
		require.NoError(t, err)
		all = append(all, out.Records...)
		if len(out.Records) == 0 {
			break
		}
		next = out.NextShardIterator
	}
	return all
}

func TestStreamBackend_Lifecycle(t *testing.T) {
	ctx := context.Background()
	c := &streamClock{ms: streamT0}
	client, _ := mustServeStream(t, stream.Options{Now: c.Now, CreateDelay: 500 * time.Millisecond, DeleteDelay: 500 * time.Millisecond})
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/orders"

	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(4),
		Tags: map[string]string{"team": "a"}})
	require.NoError(t, err)
	d, err := client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
	require.NoError(t, err)
	require.Equal(t, types.StreamStatusCreating, d.StreamDescription.StreamStatus)
	require.Empty(t, d.StreamDescription.Shards)

	c.Advance(500 * time.Millisecond)
	d, err = client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamARN: aws.String(arn), Limit: aws.Int32(3)})
	require.NoError(t, err)
	desc := d.StreamDescription
	require.Equal(t, types.StreamStatusActive, desc.StreamStatus)
	require.Equal(t, "orders", *desc.StreamName)
	require.Equal(t, arn, *desc.StreamARN)
	require.Equal(t, int32(24), *desc.RetentionPeriodHours)
	require.Equal(t, streamT0, desc.StreamCreationTimestamp.UnixMilli())
	require.Equal(t, types.StreamModeProvisioned, desc.StreamModeDetails.StreamMode)
	require.Equal(t, types.EncryptionTypeNone, desc.EncryptionType)
	require.Equal(t, []types.EnhancedMetrics{{ShardLevelMetrics: []types.MetricsName{}}}, desc.EnhancedMonitoring)
	require.True(t, *desc.HasMoreShards)
	require.Len(t, desc.Shards, 3)
	sh := desc.Shards[1]
	require.Equal(t, "shardId-000000000001", *sh.ShardId)
	require.Equal(t, "85070591730234615865843651857942052864", *sh.HashKeyRange.StartingHashKey)
	require.Equal(t, "170141183460469231731687303715884105727", *sh.HashKeyRange.EndingHashKey)
	require.Equal(t, slkinesis.StartingSequenceNumber(streamT0/1000, 1).String(), *sh.SequenceNumberRange.StartingSequenceNumber)
	require.Nil(t, sh.SequenceNumberRange.EndingSequenceNumber)
	require.Nil(t, sh.ParentShardId)
	d, err = client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders"), ExclusiveStartShardId: desc.Shards[2].ShardId})
	require.NoError(t, err)
	require.Len(t, d.StreamDescription.Shards, 1)
	require.False(t, *d.StreamDescription.HasMoreShards)

	sum, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	require.NoError(t, err)
	require.Equal(t, int32(4), *sum.StreamDescriptionSummary.OpenShardCount)
	require.Equal(t, int32(0), *sum.StreamDescriptionSummary.ConsumerCount)
	require.Equal(t, int32(1024), *sum.StreamDescriptionSummary.MaxRecordSizeInKiB)
	require.Nil(t, sum.StreamDescriptionSummary.StreamId)

	list, err := client.ListStreams(ctx, &kinesis.ListStreamsInput{})
	require.NoError(t, err)
	require.Equal(t, []string{"orders"}, list.StreamNames)
	require.False(t, *list.HasMoreStreams)
	require.Nil(t, list.NextToken)
	require.Equal(t, arn, *list.StreamSummaries[0].StreamARN)

	tags, err := client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("orders")})
	require.NoError(t, err)
	require.Equal(t, "team", *tags.Tags[0].Key)

	lim, err := client.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	require.NoError(t, err)
	require.Equal(t, int32(stream.DefaultShardLimit), *lim.ShardLimit)
	require.Equal(t, int32(4), *lim.OpenShardCount)
	require.Equal(t, int32(0), *lim.OnDemandStreamCount)
	require.Equal(t, int32(50), *lim.OnDemandStreamCountLimit)

	_, err = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamARN: aws.String(arn)})
	require.NoError(t, err)
	sum, err = client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	require.NoError(t, err)
	require.Equal(t, types.StreamStatusDeleting, sum.StreamDescriptionSummary.StreamStatus)
	c.Advance(500 * time.Millisecond)
	_, err = client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
	var rnf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &rnf)
	require.Equal(t, "Stream orders under account 000000000000 not found.", rnf.ErrorMessage())
}

// TestStreamBackend_PutRecords_ReadBack writes 500 records of random data, keys and
// explicit hash keys in one PutRecords and reads every one back exactly.
func TestStreamBackend_PutRecords_ReadBack(t *testing.T) {
	ctx := context.Background()
	seed := testutil.Seed(t)
	rng := rand.New(rand.NewPCG(seed, seed))
	client, _ := mustServeStream(t, stream.Options{})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(4)})
	require.NoError(t, err)

	entries := make([]types.PutRecordsRequestEntry, 500)
	for i := range entries {
		data := make([]byte, rng.IntN(300))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		entries[i] = types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(fmt.Sprintf("key-%d-ключ", rng.IntN(1000)))}
		if i%10 == 0 {
			entries[i].ExplicitHashKey = aws.String(fmt.Sprint(rng.Uint64()))
		}
	}
	out, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries})
	require.NoError(t, err)
	require.Equal(t, int32(0), *out.FailedRecordCount)
	require.Len(t, out.Records, len(entries))
	perShard := map[string][]int{} // request indexes per shard, in request order
	for i, r := range out.Records {
		require.Nil(t, r.ErrorCode)
		require.Len(t, *r.SequenceNumber, 56)
		perShard[*r.ShardId] = append(perShard[*r.ShardId], i)
	}
	require.Len(t, perShard, 4, "500 random keys reach every shard")
	total := 0
	for shardID, indexes := range perShard {
		got := readShard(t, client, "s", shardID)
		require.Len(t, got, len(indexes), shardID)
		for j, i := range indexes {
			require.Equal(t, *out.Records[i].SequenceNumber, *got[j].SequenceNumber, "%s record %d", shardID, j)
			require.Equal(t, *entries[i].PartitionKey, *got[j].PartitionKey)
			require.True(t, bytes.Equal(entries[i].Data, got[j].Data), "%s record %d data", shardID, j)
		}
		total += len(got)
	}
	require.Equal(t, len(entries), total)
}

func TestStreamBackend_Records(t *testing.T) {
	ctx := context.Background()
	c := &streamClock{ms: streamT0}
	client, _ := mustServeStream(t, stream.Options{Now: c.Now})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(2)})
	require.NoError(t, err)
	c.Advance(time.Second)
	var puts []*kinesis.PutRecordOutput
	for i := range 3 {
		in := &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte(fmt.Sprint("r", i)),
			ExplicitHashKey: aws.String("1")}
		if i > 0 {
			in.SequenceNumberForOrdering = puts[i-1].SequenceNumber
		}
		out, err := client.PutRecord(ctx, in)
		require.NoError(t, err)
		require.Equal(t, "shardId-000000000000", *out.ShardId)
		puts = append(puts, out)
		c.Advance(time.Second)
	}
	iterator := func(typ types.ShardIteratorType, seq *string, ts *time.Time) *string {
		t.Helper()
		out, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-0"),
			ShardIteratorType: typ, StartingSequenceNumber: seq, Timestamp: ts})
		require.NoError(t, err)
		return out.ShardIterator
	}
	datas := func(recs []types.Record) string {
		var b strings.Builder
		for _, r := range recs {
			b.Write(r.Data)
		}
		return b.String()
	}
	tests := []struct {
		name string
		it   *string
		want string
	}{
		{"TRIM_HORIZON", iterator(types.ShardIteratorTypeTrimHorizon, nil, nil), "r0r1r2"},
		{"LATEST", iterator(types.ShardIteratorTypeLatest, nil, nil), ""},
		{"AT_SEQUENCE_NUMBER", iterator(types.ShardIteratorTypeAtSequenceNumber, puts[1].SequenceNumber, nil), "r1r2"},
		{"AFTER_SEQUENCE_NUMBER", iterator(types.ShardIteratorTypeAfterSequenceNumber, puts[1].SequenceNumber, nil), "r2"},
		{"AT_TIMESTAMP", iterator(types.ShardIteratorTypeAtTimestamp, nil, aws.Time(time.UnixMilli(streamT0+1500))), "r1r2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: tt.it})
			require.NoError(t, err)
			require.Equal(t, tt.want, datas(out.Records))
			require.NotNil(t, out.NextShardIterator)
			require.Zero(t, *out.MillisBehindLatest)
		})
	}

	out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iterator(types.ShardIteratorTypeTrimHorizon, nil, nil), Limit: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, out.Records, 1)
	r := out.Records[0]
	require.Equal(t, *puts[0].SequenceNumber, *r.SequenceNumber)
	require.Equal(t, streamT0+1000, r.ApproximateArrivalTimestamp.UnixMilli())
	require.Equal(t, "k", *r.PartitionKey)
	require.Equal(t, int64(2000), *out.MillisBehindLatest)
	out, err = client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator})
	require.NoError(t, err)
	require.Equal(t, "r1r2", datas(out.Records), "the next iterator goes on after the last record")
}

func TestStreamBackend_ListShards(t *testing.T) {
	ctx := context.Background()
	client, _ := mustServeStream(t, stream.Options{})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(5)})
	require.NoError(t, err)
	var ids []string
	in := &kinesis.ListShardsInput{StreamName: aws.String("s"), MaxResults: aws.Int32(2), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}}
	for {
		out, err := client.ListShards(ctx, in)
		require.NoError(t, err)
		for _, sh := range out.Shards {
			ids = append(ids, *sh.ShardId)
		}
		if out.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: aws.Int32(2)}
	}
	require.Equal(t, []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003", "shardId-000000000004"}, ids)

	out, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ExclusiveStartShardId: aws.String("shardId-000000000003"),
		ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(time.Now())}})
	require.NoError(t, err)
	require.Len(t, out.Shards, 1)
	require.Equal(t, "340282366920938463463374607431768211455", *out.Shards[0].HashKeyRange.EndingHashKey)
}

func TestStreamBackend_RetentionAndTags(t *testing.T) {
	ctx := context.Background()
	client, _ := mustServeStream(t, stream.Options{})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")

	_, err = client.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(72)})
	require.NoError(t, err)
	_, err = client.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamARN: arn, RetentionPeriodHours: aws.Int32(48)})
	require.NoError(t, err)
	sum, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	require.NoError(t, err)
	require.Equal(t, int32(48), *sum.StreamDescriptionSummary.RetentionPeriodHours)

	_, err = client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"b": "2", "a": "1", "c": ""}})
	require.NoError(t, err)
	_, err = client.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("s"), TagKeys: []string{"c"}})
	require.NoError(t, err)
	tags, err := client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s"), Limit: aws.Int32(1)})
	require.NoError(t, err)
	require.True(t, *tags.HasMoreTags)
	require.Equal(t, []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}, tags.Tags)
	tags, err = client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s"), ExclusiveStartTagKey: aws.String("a")})
	require.NoError(t, err)
	require.False(t, *tags.HasMoreTags)
	require.Equal(t, []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}}, tags.Tags)

	_, err = client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"r": "x"}})
	require.NoError(t, err)
	_, err = client.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"a"}})
	require.NoError(t, err)
	res, err := client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("r"), Value: aws.String("x")}}, res.Tags)
}

// TestStreamBackend_Errors checks that the store's errors reach the SDK as its typed errors,
// with the exact messages.
func TestStreamBackend_Errors(t *testing.T) {
	ctx := context.Background()
	c := &streamClock{ms: streamT0}
	client, _ := mustServeStream(t, stream.Options{Now: c.Now, ShardLimit: 3})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(2)})
	require.NoError(t, err)
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeLatest})
	require.NoError(t, err)
	c.Advance(slkinesis.IteratorLifetime + time.Second)

	in := " in stream s under account 000000000000"
	notFound := "Stream nope under account 000000000000 not found."
	tests := []struct {
		name   string
		call   func() error
		target any // a pointer to the SDK's typed error
		code   string
		msg    string
	}{
		{"CreateStream exists", func() error {
			_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
			return err
		}, new(*types.ResourceInUseException), "ResourceInUseException", "Stream s under account 000000000000 already exists."},
		{"CreateStream over the limit", func() error {
			_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(2)})
			return err
		}, new(*types.LimitExceededException), "LimitExceededException", "This request would exceed the shard limit for the account " +
			"000000000000 in us-east-1. Current shard count for the account: 2. Limit: 3. Number of additional shards that would have " +
			"resulted from this request: 2. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) " +
			"for current limits and how to request higher limits."},
		{"CreateStream PROVISIONED without a count", func() error {
			_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"),
				StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
			return err
		}, new(*types.ValidationException), "ValidationException",
			"1 validation error detected: Value null at 'shardCount' failed to satisfy constraint: Member must not be null"},
		{"DeleteStream", func() error {
			_, err := client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("nope")})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", notFound},
		{"DescribeStreamSummary", func() error {
			_, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("nope")})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", notFound},
		{"ListShards", func() error {
			_, err := client.ListShards(ctx, &kinesis.ListShardsInput{NextToken: aws.String("bad")})
			return err
		}, new(*types.InvalidArgumentException), "InvalidArgumentException", "Invalid NextToken."},
		{"ListStreams", func() error {
			_, err := client.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: aws.String("eyJ2IjoxLCJrIjoic3RyZWFtcyIsInQiOjAsInMiOiJhIn0")})
			return err
		}, new(*types.ExpiredNextTokenException), "ExpiredNextTokenException", "The NextToken has expired. NextTokens are valid for 300000 milliseconds."},
		{"PutRecords", func() error {
			_, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("nope"), Records: []types.PutRecordsRequestEntry{
				{Data: []byte("x"), PartitionKey: aws.String("k")}}})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", notFound},
		{"PutRecords bad hash key", func() error {
			_, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
				{Data: []byte("x"), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("340282366920938463463374607431768211456")}}})
			return err
		}, new(*types.InvalidArgumentException), "InvalidArgumentException", "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: " +
			"[0, 2^128-1]. Specified value was 340282366920938463463374607431768211456"},
		{"PutRecord dry run", func() error {
			_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), Data: []byte("x"), PartitionKey: aws.String("k"), DryRun: aws.Bool(true)})
			return err
		}, new(*types.DryRunOperationException), "DryRunOperationException", "Request would have succeeded, but DryRun flag is set."},
		{"GetShardIterator", func() error {
			_, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000007"),
				ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", "Shard shardId-000000000007" + in + " does not exist"},
		{"GetShardIterator type", func() error {
			_, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
				ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber})
			return err
		}, new(*types.InvalidArgumentException), "InvalidArgumentException", "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER " +
			"and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AFTER_SEQUENCE_NUMBER and no StartingSequenceNumber."},
		{"GetRecords invalid", func() error {
			_, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAAAAAAAE=")})
			return err
		}, new(*types.InvalidArgumentException), "InvalidArgumentException", "Invalid ShardIterator."},
		{"GetRecords expired", func() error {
			_, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
			return err
		}, new(*types.ExpiredIteratorException), "ExpiredIteratorException", "Iterator expired. The iterator was created at time " +
			"Tue Nov 14 22:13:20 UTC 2023 while right now it is Tue Nov 14 22:18:21 UTC 2023 which is further in the future than " +
			"the tolerated delay of 300000 milliseconds."},
		{"IncreaseStreamRetentionPeriod", func() error {
			_, err := client.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(8761)})
			return err
		}, new(*types.InvalidArgumentException), "InvalidArgumentException",
			"Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long."},
		{"DecreaseStreamRetentionPeriod", func() error {
			_, err := client.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(48)})
			return err
		}, new(*types.InvalidArgumentException), "InvalidArgumentException",
			"Requested retention period (48 hours) for stream s can not be longer than existing retention period (24 hours). Use IncreaseRetentionPeriod API."},
		{"AddTagsToStream", func() error {
			_, err := client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"a%": "b"}})
			return err
		}, new(*types.InvalidArgumentException), "InvalidArgumentException", "Failed to add tags to stream s under account 000000000000 because " +
			"some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."},
		{"RemoveTagsFromStream", func() error {
			_, err := client.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("nope"), TagKeys: []string{"a"}})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", notFound},
		{"ListTagsForStream", func() error {
			_, err := client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("nope")})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", notFound},
		{"TagResource", func() error {
			_, err := client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/nope"),
				Tags: map[string]string{"a": "b"}})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", "Resource arn:aws:kinesis:us-east-1:000000000000:stream/nope not found."},
		{"UntagResource", func() error {
			_, err := client.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String("arn:aws:kinesis:eu-west-1:000000000000:stream/s"),
				TagKeys: []string{"a"}})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", "Resource arn:aws:kinesis:eu-west-1:000000000000:stream/s not found."},
		{"ListTagsForResource", func() error {
			_, err := client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1")})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException",
			"Resource arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1 not found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.ErrorAs(t, err, tt.target)
			requireSDKError(t, err, tt.code, tt.msg)
		})
	}
}

// TestStreamBackend_Resharding splits, merges and rescales through the SDK, and reads a
// closed shard to its end, where GetRecords names the children and no next iterator.
func TestStreamBackend_Resharding(t *testing.T) {
	ctx := context.Background()
	c := &streamClock{ms: streamT0}
	client, _ := mustServeStream(t, stream.Options{Now: c.Now, UpdateDelay: 500 * time.Millisecond})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(2)})
	require.NoError(t, err)
	_, err = client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), Data: []byte("before"), PartitionKey: aws.String("k"),
		ExplicitHashKey: aws.String("7")})
	require.NoError(t, err)
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	require.NoError(t, err)

	_, err = client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String("1000")})
	require.NoError(t, err)
	_, err = client.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String("shardId-000000000000"),
		AdjacentShardToMerge: aws.String("shardId-000000000001")})
	var inUse *types.ResourceInUseException
	require.ErrorAs(t, err, &inUse)
	require.Equal(t, "Stream s under account 000000000000 not ACTIVE, instead in state UPDATING", inUse.ErrorMessage())
	c.Advance(500 * time.Millisecond)

	shards, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s")})
	require.NoError(t, err)
	require.Len(t, shards.Shards, 4)
	parent := shards.Shards[0]
	require.NotNil(t, parent.SequenceNumberRange.EndingSequenceNumber)
	require.Equal(t, "shardId-000000000000", *shards.Shards[2].ParentShardId)
	require.Equal(t, "999", *shards.Shards[2].HashKeyRange.EndingHashKey)
	require.Equal(t, "1000", *shards.Shards[3].HashKeyRange.StartingHashKey)

	out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	require.NoError(t, err)
	require.Len(t, out.Records, 1)
	require.Equal(t, "before", string(out.Records[0].Data))
	require.Nil(t, out.NextShardIterator, "the end of a closed shard")
	require.Len(t, out.ChildShards, 2)
	require.Equal(t, types.ChildShard{ShardId: aws.String("shardId-000000000002"), ParentShards: []string{"shardId-000000000000"},
		HashKeyRange: &types.HashKeyRange{StartingHashKey: aws.String("0"), EndingHashKey: aws.String("999")}}, out.ChildShards[0])

	_, err = client.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String("shardId-000000000003"),
		AdjacentShardToMerge: aws.String("shardId-000000000002")})
	var invalid *types.InvalidArgumentException
	require.ErrorAs(t, err, &invalid)
	require.Equal(t, "Shards shardId-000000000003 and shardId-000000000002 in stream s under account 000000000000 "+
		"are not an adjacent pair of shards eligible for merging", invalid.ErrorMessage())
	_, err = client.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String("shardId-000000000002"),
		AdjacentShardToMerge: aws.String("shardId-000000000003")})
	require.NoError(t, err)
	c.Advance(500 * time.Millisecond)

	up, err := client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(4),
		ScalingType: types.ScalingTypeUniformScaling})
	require.NoError(t, err)
	require.Equal(t, int32(2), *up.CurrentShardCount)
	require.Equal(t, int32(4), *up.TargetShardCount)
	require.Equal(t, "s", *up.StreamName)
	require.Equal(t, "arn:aws:kinesis:us-east-1:000000000000:stream/s", *up.StreamARN)
	c.Advance(500 * time.Millisecond)
	sum, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	require.NoError(t, err)
	require.Equal(t, int32(4), *sum.StreamDescriptionSummary.OpenShardCount)
	_, err = client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(9),
		ScalingType: types.ScalingTypeUniformScaling})
	require.ErrorAs(t, err, &invalid)
	require.Equal(t, "Cannot update shard count beyond 2x current shard count", invalid.ErrorMessage())
	_, err = client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String("5")})
	require.ErrorAs(t, err, &invalid)
	require.Equal(t, "Shard shardId-000000000000 in stream s under account 000000000000 has already been merged or split, "+
		"and thus is not eligible for merging or splitting.", invalid.ErrorMessage())
}

// streamPutRecordsBody is a PutRecords body as the AWS SDK writes it: records of size bytes
// with partition keys spread over the shards.
func streamPutRecordsBody(name string, records, size int) []byte {
	var b strings.Builder
	data := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xa5}, size))
	b.WriteString(`{"Records":[`)
	for i := range records {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Data":"%s","PartitionKey":"partition-key-%d"}`, data, i)
	}
	fmt.Fprintf(&b, `],"StreamName":"%s"}`, name)
	return []byte(b.String())
}

// streamDiscardWriter is a ResponseWriter that keeps only the status.
type streamDiscardWriter struct {
	h      http.Header
	status int
}

func (w *streamDiscardWriter) Header() http.Header         { return w.h }
func (w *streamDiscardWriter) WriteHeader(status int)      { w.status = status }
func (w *streamDiscardWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkServer_PutRecordsStream measures the whole PutRecords handler over a real store:
// decoding, routing, appending to 4 shards, encoding the answer.
func BenchmarkServer_PutRecordsStream(b *testing.B) {
	const records, size = 500, 100
	for _, sync := range []shard.SyncPolicy{shard.SyncAlways, shard.SyncNone} {
		b.Run(fmt.Sprintf("records=%d/size=%dB/shards=4/sync=%s", records, size, sync), func(b *testing.B) {
			benchPutRecordsSync(b, sync, 4, streamPutRecordsBody("bench", records, size), records, size)
		})
	}
}
