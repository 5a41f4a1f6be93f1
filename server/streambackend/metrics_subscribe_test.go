package streambackend_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"
)

// TestMetrics_SubscribeToShard: per stream and consumer, the SubscribeToShard calls, those
// that started, those refused because the consumer already had the shard, the
// subscriptions open, and the events, records and bytes pushed; a subscription that ends
// leaves the open gauge.
func TestMetrics_SubscribeToShard(t *testing.T) {
	base, kc, _ := countedClockServer(t, nil)
	ctx := context.Background()
	_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
		ConsumerName: aws.String("c")})
	require.NoError(t, err)
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	var entries []types.PutRecordsRequestEntry
	for _, d := range []string{"a", "bb", "ccc"} {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("pk"), Data: []byte(d)})
	}
	_, err = kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries})
	require.NoError(t, err)

	sub := subscribe(t, base, subscribeInput(arn, 0, types.ShardIteratorTypeTrimHorizon, ""))
	got, _ := sub.records(3) // put before the subscription: one read, one event
	require.Len(t, got, 3)
	_, err = newSDKClient(base, nil).SubscribeToShard(ctx, subscribeInput(arn, 0, types.ShardIteratorTypeLatest, ""))
	require.Error(t, err, "a second subscription of the consumer to the shard at once")

	l := `{account="000000000000",consumer="c",region="us-east-1",stream="s"}`
	want := map[string]float64{
		"shardlog_consumer_subscribe_to_shard_calls_total" + l:                                 2,
		"shardlog_consumer_subscribe_to_shard_success_total" + l:                               1,
		"shardlog_consumer_subscribe_to_shard_rate_exceeded_total" + l:                         1,
		"shardlog_consumer_subscriptions" + l:                                                  1,
		"shardlog_consumer_subscribe_to_shard_events_total" + l:                                1,
		"shardlog_consumer_subscribe_to_shard_event_records_total" + l:                         3,
		"shardlog_consumer_subscribe_to_shard_event_bytes_total" + l:                           1 + 2 + 3 + 3*2,
		"shardlog_consumer_subscribe_to_shard_event_millis_behind_latest_max_milliseconds" + l: 0,
	}
	// The backend counts an event once the sink has sent it, which may be just after the
	// client has it.
	awaitSample(t, base, "shardlog_consumer_subscribe_to_shard_events_total"+l, 1)
	require.Equal(t, want, withPrefix(scrape(t, base), "shardlog_consumer_"))

	// Deregistering the consumer ends its subscription; the client sees the end of the
	// event stream only after the backend has returned, and counted it closed.
	_, err = kc.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn)})
	require.NoError(t, err)
	_, _, _ = sub.end()
	want["shardlog_consumer_subscriptions"+l] = 0
	require.Equal(t, want, withPrefix(scrape(t, base), "shardlog_consumer_"))
}

// awaitSample scrapes base until the sample name has the value want, for up to 10 s: for
// what is counted just after the client has seen it.
func awaitSample(t *testing.T, base, name string, want float64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for got := scrape(t, base)[name]; got != want; got = scrape(t, base)[name] {
		require.True(t, time.Now().Before(deadline), "%s = %v after 10 s, want %v", name, got, want)
		time.Sleep(time.Millisecond)
	}
}
