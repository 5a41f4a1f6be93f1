package streambackend_test

import (
	"context"
	"net/http/httptest"
	"strings"
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

// The stream settings (capacity mode, encryption, enhanced monitoring) through the AWS SDK
// for Go v2, on a real store with a fake clock and an UpdateDelay of one second.

const (
	settingsAcct = "000000000000"
	kinesisKey   = "alias/aws/kinesis"
	keyARN       = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	allMetrics   = "IncomingBytes IncomingRecords OutgoingBytes OutgoingRecords " +
		"WriteProvisionedThroughputExceeded ReadProvisionedThroughputExceeded IteratorAgeMilliseconds"
)

// settingsServer is a store in a directory of its own, served over HTTP, that a test can
// stop and start again on the same directory.
type settingsServer struct {
	t      *testing.T
	dir    string
	opts   stream.Options
	store  *stream.Store
	ts     *httptest.Server
	client *kinesis.Client
}

func startSettingsServer(t *testing.T, dir string, c *streamClock) *settingsServer {
	t.Helper()
	opts := stream.Options{Now: c.Now, UpdateDelay: time.Second, Logger: discardLogger()}
	opts.Shard.Sync = shard.SyncAlways
	st, err := stream.Open(dir, opts)
	require.NoError(t, err)
	ts := httptest.NewServer(server.New(streambackend.New(st), server.Options{Logger: discardLogger()}))
	s := &settingsServer{t: t, dir: dir, opts: opts, store: st, ts: ts}
	s.client = kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
		BaseEndpoint:     aws.String(ts.URL),
		RetryMaxAttempts: 1,
		HTTPClient:       testutil.SDKHTTPClient(ts.Client()),
	})
	t.Cleanup(s.stop)
	return s
}

// stop closes the server and the store; a second stop does nothing.
func (s *settingsServer) stop() {
	if s.ts == nil {
		return
	}
	s.ts.Close()
	require.NoError(s.t, s.store.Close())
	s.ts = nil
}

func streamARN(name string) string {
	return "arn:aws:kinesis:us-east-1:" + settingsAcct + ":stream/" + name
}

// summary returns the DescribeStreamSummary of a stream, having checked that DescribeStream
// and ListStreams report the same status, mode, encryption and metrics.
func summary(t *testing.T, c *kinesis.Client, name string) *types.StreamDescriptionSummary {
	t.Helper()
	ctx := context.Background()
	out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	require.NoError(t, err)
	sum := out.StreamDescriptionSummary
	desc, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
	require.NoError(t, err)
	d := desc.StreamDescription
	require.Equal(t, sum.StreamStatus, d.StreamStatus)
	require.Equal(t, sum.StreamModeDetails, d.StreamModeDetails)
	require.Equal(t, sum.EncryptionType, d.EncryptionType)
	require.Equal(t, sum.KeyId, d.KeyId)
	require.Equal(t, sum.EnhancedMonitoring, d.EnhancedMonitoring)
	list, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	require.NoError(t, err)
	var found bool
	for _, s := range list.StreamSummaries {
		if *s.StreamName == name {
			found = true
			require.Equal(t, sum.StreamStatus, s.StreamStatus)
			require.Equal(t, sum.StreamModeDetails, s.StreamModeDetails)
		}
	}
	require.True(t, found, "%s in ListStreams", name)
	return sum
}

func metricsOf(names string) []types.MetricsName {
	out := []types.MetricsName{}
	for _, f := range strings.Fields(names) {
		out = append(out, types.MetricsName(f))
	}
	return out
}

func TestStreamBackend_StreamMode(t *testing.T) {
	ctx := context.Background()
	c := &streamClock{ms: streamT0}
	srv := startSettingsServer(t, t.TempDir(), c)
	client := srv.client

	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	require.NoError(t, err)
	sum := summary(t, client, "od")
	require.Equal(t, types.StreamModeOnDemand, sum.StreamModeDetails.StreamMode)
	require.Equal(t, int32(4), *sum.OpenShardCount, "an ON_DEMAND stream starts with 4 shards")

	_, err = client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bad"), ShardCount: aws.Int32(2),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	requireSDKError(t, err, "InvalidArgumentException", "ShardCount is not expected when StreamMode=ON_DEMAND")
	_, err = client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bad"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	requireSDKError(t, err, "ValidationException",
		"1 validation error detected: Value null at 'shardCount' failed to satisfy constraint: Member must not be null")

	_, err = client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("od"),
		TargetShardCount: aws.Int32(8), ScalingType: types.ScalingTypeUniformScaling})
	requireSDKError(t, err, "InvalidArgumentException",
		"UpdateShardCount is not supported for stream od under account "+settingsAcct+" because it is in ON_DEMAND capacity mode.")
	_, err = client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(streamARN("od")),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	requireSDKError(t, err, "InvalidArgumentException", "Stream od under account "+settingsAcct+" is already in ON_DEMAND capacity mode.")

	_, err = client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(streamARN("od")),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	require.NoError(t, err)
	sum = summary(t, client, "od")
	require.Equal(t, types.StreamStatusUpdating, sum.StreamStatus)
	require.Equal(t, types.StreamModeProvisioned, sum.StreamModeDetails.StreamMode)
	_, err = client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(streamARN("od")),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	requireSDKError(t, err, "ResourceInUseException", "Stream od under account "+settingsAcct+" not ACTIVE, instead in state UPDATING")
	_, err = client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("od"), PartitionKey: aws.String("k"), Data: []byte("x")})
	require.NoError(t, err, "writes go on while UPDATING")

	c.Advance(time.Second)
	sum = summary(t, client, "od")
	require.Equal(t, types.StreamStatusActive, sum.StreamStatus)
	require.Equal(t, int32(4), *sum.OpenShardCount, "the shards stay")
	out, err := client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("od"),
		TargetShardCount: aws.Int32(8), ScalingType: types.ScalingTypeUniformScaling})
	require.NoError(t, err)
	require.Equal(t, int32(4), *out.CurrentShardCount)
	c.Advance(time.Second)

	_, err = client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(streamARN("od")),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	require.NoError(t, err)
	c.Advance(time.Second)
	_, err = client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(streamARN("od")),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	requireSDKError(t, err, "LimitExceededException",
		"Stream od under account "+settingsAcct+" has already switched its capacity mode 2 times in the last 24 hours.")

	_, err = client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(streamARN("missing")),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	requireSDKError(t, err, "ResourceNotFoundException", "Stream missing under account "+settingsAcct+" not found.")

	// The mode, and the day's switches, survive a restart.
	srv.stop()
	srv = startSettingsServer(t, srv.dir, c)
	sum = summary(t, srv.client, "od")
	require.Equal(t, types.StreamModeOnDemand, sum.StreamModeDetails.StreamMode)
	require.Equal(t, int32(8), *sum.OpenShardCount)
	_, err = srv.client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(streamARN("od")),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	requireSDKError(t, err, "LimitExceededException",
		"Stream od under account "+settingsAcct+" has already switched its capacity mode 2 times in the last 24 hours.")
}

func TestStreamBackend_StreamEncryption(t *testing.T) {
	ctx := context.Background()
	c := &streamClock{ms: streamT0}
	srv := startSettingsServer(t, t.TempDir(), c)
	client := srv.client
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("enc"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	sum := summary(t, client, "enc")
	require.Equal(t, types.EncryptionTypeNone, sum.EncryptionType)
	require.Nil(t, sum.KeyId)
	requirePutEncryption(t, client, "enc", "")

	for _, tc := range []struct{ key, msg string }{
		{"my-key", "Received KeyId is not a properly formatted Alias or GUID"},
		{"arn:aws:kms:us-east-1:111122223333:key/my-key", "Received KeyId ARN is not a properly formatted ARN"},
	} {
		_, err = client.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("enc"),
			EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(tc.key)})
		requireSDKError(t, err, "InvalidArgumentException", tc.msg)
	}
	_, err = client.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeNone, KeyId: aws.String(kinesisKey)})
	requireSDKError(t, err, "InvalidArgumentException", "KMS is the only valid EncryptionType for this request")
	_, err = client.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(kinesisKey)})
	requireSDKError(t, err, "InvalidArgumentException", "Stream enc under account "+settingsAcct+" is not encrypted.")
	_, err = client.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("missing"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(kinesisKey)})
	requireSDKError(t, err, "ResourceNotFoundException", "Stream missing under account "+settingsAcct+" not found.")

	_, err = client.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamARN: aws.String(streamARN("enc")),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(kinesisKey)})
	require.NoError(t, err)
	sum = summary(t, client, "enc")
	require.Equal(t, types.StreamStatusUpdating, sum.StreamStatus)
	require.Equal(t, types.EncryptionTypeKms, sum.EncryptionType)
	require.Equal(t, kinesisKey, *sum.KeyId)
	_, err = client.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(kinesisKey)})
	requireSDKError(t, err, "ResourceInUseException", "Stream enc under account "+settingsAcct+" not ACTIVE, instead in state UPDATING")
	requirePutEncryption(t, client, "enc", types.EncryptionTypeKms)
	c.Advance(time.Second)
	require.Equal(t, types.StreamStatusActive, summary(t, client, "enc").StreamStatus)

	_, err = client.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(keyARN)})
	requireSDKError(t, err, "InvalidArgumentException",
		"KeyId "+keyARN+" is not the key stream enc under account "+settingsAcct+" is encrypted with.")
	_, err = client.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(keyARN)})
	require.NoError(t, err, "another key")
	c.Advance(time.Second)

	// The key survives a restart, and stopping with it works after one.
	srv.stop()
	srv = startSettingsServer(t, srv.dir, c)
	client = srv.client
	sum = summary(t, client, "enc")
	require.Equal(t, types.StreamStatusActive, sum.StreamStatus)
	require.Equal(t, types.EncryptionTypeKms, sum.EncryptionType)
	require.Equal(t, keyARN, *sum.KeyId)
	_, err = client.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(keyARN)})
	require.NoError(t, err)
	sum = summary(t, client, "enc")
	require.Equal(t, types.StreamStatusUpdating, sum.StreamStatus)
	require.Equal(t, types.EncryptionTypeNone, sum.EncryptionType)
	require.Nil(t, sum.KeyId)
	requirePutEncryption(t, client, "enc", "")
}

// requirePutEncryption checks the EncryptionType of a PutRecord and a PutRecords answer, and
// of the record read back with GetRecords:
// KMS on an encrypted stream, absent on another.
func requirePutEncryption(t *testing.T, c *kinesis.Client, name string, want types.EncryptionType) {
	t.Helper()
	ctx := context.Background()
	one, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: []byte("x")})
	require.NoError(t, err)
	require.Equal(t, want, one.EncryptionType, "PutRecord")
	many, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name),
		Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("x")}}})
	require.NoError(t, err)
	require.Equal(t, want, many.EncryptionType, "PutRecords")

	// The record reads back with the stream's EncryptionType.
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: one.ShardId,
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: one.SequenceNumber})
	require.NoError(t, err)
	got, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, got.Records, 1)
	require.Equal(t, want, got.Records[0].EncryptionType, "GetRecords")
}

func TestStreamBackend_EnhancedMonitoring(t *testing.T) {
	ctx := context.Background()
	c := &streamClock{ms: streamT0}
	srv := startSettingsServer(t, t.TempDir(), c)
	client := srv.client
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("mon"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	require.Equal(t, []types.EnhancedMetrics{{ShardLevelMetrics: metricsOf("")}}, summary(t, client, "mon").EnhancedMonitoring)

	en, err := client.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("mon"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameOutgoingBytes, types.MetricsNameIncomingBytes}})
	require.NoError(t, err)
	require.Equal(t, "mon", *en.StreamName)
	require.Equal(t, streamARN("mon"), *en.StreamARN)
	require.Equal(t, metricsOf(""), en.CurrentShardLevelMetrics)
	require.Equal(t, metricsOf("IncomingBytes OutgoingBytes"), en.DesiredShardLevelMetrics)
	sum := summary(t, client, "mon")
	require.Equal(t, types.StreamStatusUpdating, sum.StreamStatus)
	require.Equal(t, []types.EnhancedMetrics{{ShardLevelMetrics: metricsOf("IncomingBytes OutgoingBytes")}}, sum.EnhancedMonitoring)
	_, err = client.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("mon"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	requireSDKError(t, err, "ResourceInUseException", "Stream mon under account "+settingsAcct+" not ACTIVE, instead in state UPDATING")
	c.Advance(time.Second)

	en, err = client.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamARN: aws.String(streamARN("mon")),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	require.NoError(t, err)
	require.Equal(t, metricsOf("IncomingBytes OutgoingBytes"), en.CurrentShardLevelMetrics)
	require.Equal(t, metricsOf(allMetrics), en.DesiredShardLevelMetrics)
	c.Advance(time.Second)

	dis, err := client.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String("mon"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingRecords, types.MetricsNameIteratorAgeMilliseconds}})
	require.NoError(t, err)
	require.Equal(t, metricsOf(allMetrics), dis.CurrentShardLevelMetrics)
	want := "IncomingBytes OutgoingBytes OutgoingRecords WriteProvisionedThroughputExceeded ReadProvisionedThroughputExceeded"
	require.Equal(t, metricsOf(want), dis.DesiredShardLevelMetrics)
	c.Advance(time.Second)

	_, err = client.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String("missing"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	requireSDKError(t, err, "ResourceNotFoundException", "Stream missing under account "+settingsAcct+" not found.")

	// The metrics survive a restart; disabling ALL turns every one off.
	srv.stop()
	srv = startSettingsServer(t, srv.dir, c)
	client = srv.client
	require.Equal(t, []types.EnhancedMetrics{{ShardLevelMetrics: metricsOf(want)}}, summary(t, client, "mon").EnhancedMonitoring)
	dis, err = client.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String("mon"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	require.NoError(t, err)
	require.Equal(t, metricsOf(want), dis.CurrentShardLevelMetrics)
	require.Equal(t, metricsOf(""), dis.DesiredShardLevelMetrics)
	c.Advance(time.Second)
	require.Equal(t, []types.EnhancedMetrics{{ShardLevelMetrics: metricsOf("")}}, summary(t, client, "mon").EnhancedMonitoring)
}
