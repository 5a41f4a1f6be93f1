package streambackend_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// The Go SDK tests of the stream and account settings: UpdateMaxRecordSize and the record
// size limits, DescribeAccountSettings and UpdateAccountSettings,
// UpdateStreamWarmThroughput and UpdateStreamRecordDistributionStrategy, each against a
// real store, restarted to show what it keeps.

// settingsEnv is a store in a directory of its own behind a server, which a test can
// restart (store closed and opened again, new server, new client).
type settingsEnv struct {
	t      *testing.T
	dir    string
	opts   stream.Options
	store  *stream.Store
	ts     *httptest.Server
	client *kinesis.Client
}

func newSettingsEnv(t *testing.T, clock *streamClock) *settingsEnv {
	e := &settingsEnv{t: t, dir: t.TempDir(), opts: stream.Options{Now: clock.Now, UpdateDelay: 500 * time.Millisecond}}
	e.opts.Shard.Sync = shard.SyncNone
	e.opts.Logger = discardLogger()
	e.open()
	t.Cleanup(e.close)
	return e
}

func (e *settingsEnv) open() {
	st, err := stream.Open(e.dir, e.opts)
	require.NoError(e.t, err)
	e.store = st
	e.ts = httptest.NewServer(server.New(streambackend.New(st), server.Options{Logger: discardLogger()}))
	e.client = kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
		BaseEndpoint:     aws.String(e.ts.URL),
		RetryMaxAttempts: 1,
		HTTPClient:       testutil.SDKHTTPClient(e.ts.Client()),
	})
}

func (e *settingsEnv) close() {
	if e.store == nil {
		return
	}
	e.ts.Close()
	require.NoError(e.t, e.store.Close())
	e.store = nil
}

func (e *settingsEnv) restart() {
	e.close()
	e.open()
}

func settingsARN(name string) *string {
	return aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/" + name)
}

func (e *settingsEnv) summary(name string) *types.StreamDescriptionSummary {
	e.t.Helper()
	out, err := e.client.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	require.NoError(e.t, err)
	return out.StreamDescriptionSummary
}

func (e *settingsEnv) putRecord(name, key string, size int) (*kinesis.PutRecordOutput, error) {
	return e.client.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(name),
		PartitionKey: aws.String(key), Data: bytes.Repeat([]byte{'x'}, size)})
}

func TestSDK_UpdateMaxRecordSize(t *testing.T) {
	ctx := context.Background()
	e := newSettingsEnv(t, &streamClock{ms: streamT0})
	_, err := e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("a"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	_, err = e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("b"), ShardCount: aws.Int32(1),
		MaxRecordSizeInKiB: aws.Int32(2048)})
	require.NoError(t, err)
	require.Equal(t, int32(1024), aws.ToInt32(e.summary("a").MaxRecordSizeInKiB))
	require.Equal(t, int32(2048), aws.ToInt32(e.summary("b").MaxRecordSizeInKiB))

	// At the default 1 MiB: data plus key.
	_, err = e.putRecord("a", "k", 1<<20-1)
	require.NoError(t, err)
	_, err = e.putRecord("a", "k", 1<<20+1)
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value at 'data' failed to satisfy constraint: "+
		"Member must have length less than or equal to 1048576")
	_, err = e.putRecord("a", "kk", 1<<20-1)
	requireSDKError(t, err, "InvalidArgumentException", "Record has 1048577 bytes of data and partition key, more than "+
		"the maximum record size of stream a under account 000000000000: 1024 KiB.")
	_, err = e.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("a"), Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("k"), Data: []byte("small")},
		{PartitionKey: aws.String("k"), Data: make([]byte, 1<<20+1)},
	}})
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value at 'records.2.member.data' failed to satisfy "+
		"constraint: Member must have length less than or equal to 1048576")
	_, err = e.putRecord("b", "k", 2<<20-1)
	require.NoError(t, err, "a 2 MiB record to a stream created for it")

	// Errors of UpdateMaxRecordSize itself.
	_, err = e.client.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: settingsARN("a"), MaxRecordSizeInKiB: aws.Int32(1023)})
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value '1023' at 'maxRecordSizeInKiB' failed to "+
		"satisfy constraint: Member must have value greater than or equal to 1024")
	_, err = e.client.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: settingsARN("a"), MaxRecordSizeInKiB: aws.Int32(10241)})
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to "+
		"satisfy constraint: Member must have value less than or equal to 10240")
	_, err = e.client.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{MaxRecordSizeInKiB: aws.Int32(2048)})
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value null at 'streamARN' failed to satisfy "+
		"constraint: Member must not be null")
	_, err = e.client.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: settingsARN("nope"), MaxRecordSizeInKiB: aws.Int32(2048)})
	requireSDKError(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")

	_, err = e.client.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: settingsARN("a"), MaxRecordSizeInKiB: aws.Int32(4096)})
	require.NoError(t, err)
	sum := e.summary("a")
	require.Equal(t, types.StreamStatusActive, sum.StreamStatus)
	require.Equal(t, int32(4096), aws.ToInt32(sum.MaxRecordSizeInKiB))
	put, err := e.putRecord("a", "k", 3<<20)
	require.NoError(t, err, "a 3 MiB record after the update")

	e.restart()
	require.Equal(t, int32(4096), aws.ToInt32(e.summary("a").MaxRecordSizeInKiB), "after a restart")
	_, err = e.putRecord("a", "k", 4<<20-1)
	require.NoError(t, err, "a 4 MiB record after a restart")
	records := readShard(t, e.client, "a", "shardId-000000000000")
	require.Len(t, records, 3)
	require.Equal(t, aws.ToString(put.SequenceNumber), aws.ToString(records[1].SequenceNumber))
	require.Len(t, records[1].Data, 3<<20, "the 3 MiB record reads back whole")
}

func TestSDK_AccountSettings(t *testing.T) {
	ctx := context.Background()
	clock := &streamClock{ms: streamT0}
	e := newSettingsEnv(t, clock)
	out, err := e.client.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	require.NoError(t, err)
	require.Equal(t, &types.MinimumThroughputBillingCommitmentOutput{Status: types.MinimumThroughputBillingCommitmentOutputStatusDisabled},
		out.MinimumThroughputBillingCommitment)

	update := func(status types.MinimumThroughputBillingCommitmentInputStatus) (*types.MinimumThroughputBillingCommitmentOutput, error) {
		out, err := e.client.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{
			MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: status}})
		if err != nil {
			return nil, err
		}
		return out.MinimumThroughputBillingCommitment, nil
	}
	started, earliest := time.UnixMilli(streamT0).UTC(), time.UnixMilli(streamT0).Add(24*time.Hour).UTC()
	c, err := update(types.MinimumThroughputBillingCommitmentInputStatusEnabled)
	require.NoError(t, err)
	require.Equal(t, &types.MinimumThroughputBillingCommitmentOutput{Status: types.MinimumThroughputBillingCommitmentOutputStatusEnabled,
		StartedAt: &started, EarliestAllowedEndAt: &earliest}, utcCommitment(c))

	clock.Advance(time.Hour)
	c, err = update(types.MinimumThroughputBillingCommitmentInputStatusDisabled)
	require.NoError(t, err)
	ending := &types.MinimumThroughputBillingCommitmentOutput{
		Status:    types.MinimumThroughputBillingCommitmentOutputStatusEnabledUntilEarliestAllowedEnd,
		StartedAt: &started, EarliestAllowedEndAt: &earliest, EndedAt: &earliest}
	require.Equal(t, ending, utcCommitment(c))

	_, err = update("MAYBE")
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value 'MAYBE' at "+
		"'minimumThroughputBillingCommitment.status' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]")

	e.restart()
	out, err = e.client.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	require.NoError(t, err)
	require.Equal(t, ending, utcCommitment(out.MinimumThroughputBillingCommitment), "after a restart")
	clock.Advance(23 * time.Hour)
	out, err = e.client.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	require.NoError(t, err)
	require.Equal(t, types.MinimumThroughputBillingCommitmentOutputStatusDisabled, out.MinimumThroughputBillingCommitment.Status,
		"at the earliest allowed end")
}

// utcCommitment returns c with its times in UTC, to compare them.
func utcCommitment(c *types.MinimumThroughputBillingCommitmentOutput) *types.MinimumThroughputBillingCommitmentOutput {
	for _, p := range []**time.Time{&c.StartedAt, &c.EndedAt, &c.EarliestAllowedEndAt} {
		if *p != nil {
			u := (*p).UTC()
			*p = &u
		}
	}
	return c
}

func TestSDK_UpdateStreamWarmThroughput(t *testing.T) {
	ctx := context.Background()
	clock := &streamClock{ms: streamT0}
	e := newSettingsEnv(t, clock)
	_, err := e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("prov"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	_, err = e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	require.NoError(t, err)
	warm := func(name string, mibps int32) (*kinesis.UpdateStreamWarmThroughputOutput, error) {
		return e.client.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamName: aws.String(name),
			WarmThroughputMiBps: aws.Int32(mibps)})
	}

	_, err = warm("od", 100)
	requireSDKError(t, err, "InvalidArgumentException", "Warm throughput requires the MinimumThroughputBillingCommitment of "+
		"account 000000000000 to be ENABLED (UpdateAccountSettings).")
	require.Nil(t, e.summary("od").WarmThroughput, "no WarmThroughput without the commitment")
	_, err = e.client.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{
		MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}})
	require.NoError(t, err)

	_, err = warm("prov", 100)
	requireSDKError(t, err, "InvalidArgumentException", "Warm throughput is only supported for ON_DEMAND streams. "+
		"Stream prov under account 000000000000 is PROVISIONED.")
	_, err = warm("nope", 100)
	requireSDKError(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	_, err = warm("od", -1)
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value '-1' at 'warmThroughputMiBps' failed to "+
		"satisfy constraint: Member must have value greater than or equal to 0")
	_, err = warm("od", 10241)
	requireSDKError(t, err, "LimitExceededException", "Requested warm throughput of 10241 MiBps exceeds the limit of 10240 MiBps "+
		"for an on-demand stream.")
	require.Nil(t, e.summary("prov").WarmThroughput, "no WarmThroughput on a PROVISIONED stream")
	require.Equal(t, &types.WarmThroughputObject{TargetMiBps: aws.Int32(0), CurrentMiBps: aws.Int32(0)}, e.summary("od").WarmThroughput)

	out, err := e.client.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamARN: settingsARN("od"),
		WarmThroughputMiBps: aws.Int32(100)})
	require.NoError(t, err)
	require.Equal(t, "od", aws.ToString(out.StreamName))
	require.Equal(t, aws.ToString(settingsARN("od")), aws.ToString(out.StreamARN))
	require.Equal(t, &types.WarmThroughputObject{TargetMiBps: aws.Int32(100), CurrentMiBps: aws.Int32(0)}, out.WarmThroughput)
	sum := e.summary("od")
	require.Equal(t, types.StreamStatusUpdating, sum.StreamStatus)
	_, err = warm("od", 200)
	requireSDKError(t, err, "ResourceInUseException", "Stream od under account 000000000000 not ACTIVE, instead in state UPDATING")
	_, err = e.putRecord("od", "k", 10)
	require.NoError(t, err, "writes go on while UPDATING")

	clock.Advance(500 * time.Millisecond)
	sum = e.summary("od")
	require.Equal(t, types.StreamStatusActive, sum.StreamStatus)
	require.Equal(t, &types.WarmThroughputObject{TargetMiBps: aws.Int32(100), CurrentMiBps: aws.Int32(100)}, sum.WarmThroughput)

	e.restart()
	require.Equal(t, &types.WarmThroughputObject{TargetMiBps: aws.Int32(100), CurrentMiBps: aws.Int32(100)},
		e.summary("od").WarmThroughput, "after a restart")
}

// shardsOfKey puts n records with one partition key, in one PutRecords, and returns how
// many each shard got.
func (e *settingsEnv) shardsOfKey(name string, n int) map[string]int {
	e.t.Helper()
	entries := make([]types.PutRecordsRequestEntry, n)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("one-key"), Data: []byte("v")}
	}
	out, err := e.client.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
	require.NoError(e.t, err)
	got := map[string]int{}
	for _, r := range out.Records {
		got[aws.ToString(r.ShardId)]++
	}
	return got
}

func TestSDK_UpdateStreamRecordDistributionStrategy(t *testing.T) {
	ctx := context.Background()
	e := newSettingsEnv(t, &streamClock{ms: streamT0})
	_, err := e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	require.NoError(t, err)
	_, err = e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("prov"), ShardCount: aws.Int32(2)})
	require.NoError(t, err)
	strategy := func(name string, s types.RecordDistributionStrategy) error {
		_, err := e.client.UpdateStreamRecordDistributionStrategy(ctx, &kinesis.UpdateStreamRecordDistributionStrategyInput{
			StreamARN: settingsARN(name), RecordDistributionStrategy: s})
		return err
	}

	// The default keeps one key on one shard.
	require.Equal(t, types.RecordDistributionStrategyUserPartitionKey, e.summary("od").RecordDistributionStrategy)
	require.Len(t, e.shardsOfKey("od", 40), 1)

	requireSDKError(t, strategy("prov", types.RecordDistributionStrategyAuto), "InvalidArgumentException",
		"Record distribution strategy AUTO is only supported for ON_DEMAND streams. Stream prov under account 000000000000 is PROVISIONED.")
	requireSDKError(t, strategy("od", "RANDOM"), "ValidationException", "1 validation error detected: Value 'RANDOM' at "+
		"'recordDistributionStrategy' failed to satisfy constraint: Member must satisfy enum value set: [AUTO, USER_PARTITION_KEY]")
	requireSDKError(t, strategy("nope", types.RecordDistributionStrategyAuto), "ResourceNotFoundException",
		"Stream nope under account 000000000000 not found.")
	require.Empty(t, e.summary("prov").RecordDistributionStrategy, "a PROVISIONED stream has no strategy")

	// AUTO spreads one key evenly over the stream's 4 shards.
	require.NoError(t, strategy("od", types.RecordDistributionStrategyAuto))
	require.Equal(t, types.RecordDistributionStrategyAuto, e.summary("od").RecordDistributionStrategy)
	require.Equal(t, map[string]int{"shardId-000000000000": 10, "shardId-000000000001": 10, "shardId-000000000002": 10,
		"shardId-000000000003": 10}, e.shardsOfKey("od", 40))
	seen := map[string]bool{}
	for range 4 {
		out, err := e.putRecord("od", "one-key", 1)
		require.NoError(t, err)
		seen[aws.ToString(out.ShardId)] = true
	}
	require.Len(t, seen, 4, "PutRecord after PutRecord")

	e.restart()
	require.Equal(t, types.RecordDistributionStrategyAuto, e.summary("od").RecordDistributionStrategy, "after a restart")
	require.Len(t, e.shardsOfKey("od", 8), 4, "after a restart")
	require.NoError(t, strategy("od", types.RecordDistributionStrategyUserPartitionKey))
	require.Len(t, e.shardsOfKey("od", 40), 1, "back to USER_PARTITION_KEY")

	// CreateStream takes the strategy too.
	_, err = e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od2"),
		StreamModeDetails:          &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand},
		RecordDistributionStrategy: types.RecordDistributionStrategyAuto})
	require.NoError(t, err)
	require.Len(t, e.shardsOfKey("od2", 8), 4)
	_, err = e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("prov2"), ShardCount: aws.Int32(2),
		RecordDistributionStrategy: types.RecordDistributionStrategyAuto})
	requireSDKError(t, err, "InvalidArgumentException", "Record distribution strategy AUTO is only supported for ON_DEMAND "+
		"streams. Stream prov2 under account 000000000000 is PROVISIONED.")
}
