package streambackend_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/metrics"
	slkinesis "github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// countedClockServer serves a store on a fake clock, counted into metrics served at
// /metrics, with gate (nil: none). It returns the server's URL, a client and the clock.
func countedClockServer(t *testing.T, gate stream.Gate) (string, *kinesis.Client, *streamClock) {
	t.Helper()
	clock := &streamClock{ms: streamT0}
	st := mustOpenStreamStore(t, stream.Options{Now: clock.Now, Gate: gate})
	m := metrics.New(metrics.Options{})
	url := serveOn(t, streambackend.NewCounted(st, m.Scope(stream.DefaultAccount, stream.DefaultRegion)),
		server.Options{Logger: discardLogger(), Metrics: m.Handler()})
	return url, newSDKClient(url, nil), clock
}

// refuseWrites is a stream.Gate that refuses every record put to one shard for its
// throughput, and lets everything else through.
type refuseWrites struct{ shardID string }

func (g refuseWrites) Write(_ string, at stream.GateShard, _ int) string {
	if at.ShardID == g.shardID {
		return slkinesis.TypeProvisionedThroughputExceeded
	}
	return ""
}
func (refuseWrites) Read(stream.GateShard) string     { return "" }
func (refuseWrites) ReadDone(stream.GateShard, int)   {}
func (refuseWrites) Iterator(stream.GateShard) string { return "" }

// TestMetrics_ShardWriteExceededAndIteratorAgeMax: with every shard-level metric on, the
// records a shard refuses for its throughput count on that shard (PutRecords' and
// PutRecord's, though their answers name no shard); and the iterator age is reported both
// as the latest call's and as the largest of the last minute, per stream and per shard.
func TestMetrics_ShardWriteExceededAndIteratorAgeMax(t *testing.T) {
	base, kc, clock := countedClockServer(t, refuseWrites{shardID: "shardId-000000000001"})
	ctx := context.Background()
	_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)})
	require.NoError(t, err)
	_, err = kc.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("orders"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	require.NoError(t, err)

	var entries []types.PutRecordsRequestEntry
	for _, key := range []string{shard0Key, shard1Key, shard0Key, shard1Key, shard0Key} {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(key), Data: []byte("x")})
	}
	out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("orders"), Records: entries})
	require.NoError(t, err)
	require.Equal(t, int32(2), aws.ToInt32(out.FailedRecordCount))
	for i, r := range out.Records {
		if r.ErrorCode != nil {
			require.Nil(t, r.ShardId, "record %d: a refused record's answer names no shard, as on AWS", i)
		}
	}
	_, err = kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"),
		ExplicitHashKey: aws.String(shard1Key), Data: []byte("x")})
	requireSDKError(t, err, slkinesis.TypeProvisionedThroughputExceeded,
		"Rate exceeded for shard shardId-000000000001 in stream orders under account 000000000000.")

	// Shard 0 holds 3 records put at the clock's start; one more comes 4 s later. A reader
	// that takes one record is then 4000 ms behind, and 0 once it has read the rest.
	clock.Advance(4 * time.Second)
	_, err = kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"),
		ExplicitHashKey: aws.String(shard0Key), Data: []byte("x")})
	require.NoError(t, err)
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	require.NoError(t, err)
	first, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)})
	require.NoError(t, err)
	require.Equal(t, int64(4000), aws.ToInt64(first.MillisBehindLatest))
	rest, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: first.NextShardIterator})
	require.NoError(t, err)
	require.Len(t, rest.Records, 3)
	require.Zero(t, aws.ToInt64(rest.MillisBehindLatest))

	got := scrape(t, base)
	l := `{account="000000000000",region="us-east-1",stream="orders"}`
	ls := func(shard string) string {
		return `{account="000000000000",region="us-east-1",shard="shardId-00000000000` + shard + `",stream="orders"}`
	}
	require.Equal(t, map[string]float64{
		"shardlog_shard_write_provisioned_throughput_exceeded_total" + ls("0"): 0,
		"shardlog_shard_write_provisioned_throughput_exceeded_total" + ls("1"): 2 + 1,
	}, withPrefix(got, "shardlog_shard_write_"))
	for name, want := range map[string]float64{
		"shardlog_stream_write_provisioned_throughput_exceeded_total" + l: 3,
		"shardlog_stream_get_records_iterator_age_milliseconds" + l:       0,
		"shardlog_stream_get_records_iterator_age_max_milliseconds" + l:   4000,
		"shardlog_shard_iterator_age_milliseconds" + ls("0"):              0,
		"shardlog_shard_iterator_age_max_milliseconds" + ls("0"):          4000,
		"shardlog_shard_incoming_records_total" + ls("0"):                 4,
		"shardlog_shard_outgoing_records_total" + ls("0"):                 4,
	} {
		require.Contains(t, got, name)
		require.Equal(t, want, got[name], name)
	}
}
