package streambackend_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// BenchmarkSubscribeToShard_PushLatency measures, over loopback with the Go SDK v2, the time
// from a PutRecord's answer to the arrival of its record at a subscriber of the shard, one
// record at a time, and reports its p50 and p99 (µs). With sync=always the record is pushed
// once it is durable.
func BenchmarkSubscribeToShard_PushLatency(b *testing.B) {
	for _, sync := range []shard.SyncPolicy{shard.SyncAlways, shard.SyncNone} {
		b.Run("sync="+sync.String(), func(b *testing.B) {
			st, err := stream.Open(b.TempDir(), stream.Options{Shard: shard.Options{Sync: sync}, Logger: discardLogger()})
			require.NoError(b, err)
			b.Cleanup(func() { require.NoError(b, st.Close()) })
			url := serveBench(b, streambackend.New(st))
			ctx := context.Background()
			client := newSDKClient(url, nil)
			_, err = client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
			require.NoError(b, err)
			reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
				ConsumerName: aws.String("bench")})
			require.NoError(b, err)
			out, err := newSDKClient(url, nil).SubscribeToShard(ctx, subscribeInput(aws.ToString(reg.Consumer.ConsumerARN), 0,
				types.ShardIteratorTypeLatest, ""))
			require.NoError(b, err)
			events := out.GetStream()
			defer events.Close()

			var lat []time.Duration
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				data := []byte(strconv.Itoa(i))
				i++
				_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: data})
				require.NoError(b, err)
				answered := time.Now()
				for arrived := false; !arrived; {
					ev, ok := <-events.Events()
					require.True(b, ok, "stream ended: %v", events.Err())
					for _, r := range ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent).Value.Records {
						arrived = arrived || string(r.Data) == string(data)
					}
				}
				lat = append(lat, time.Since(answered))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// serveBench serves b on an httptest.Server until the benchmark ends.
func serveBench(tb testing.TB, b server.Backend) string {
	tb.Helper()
	ts := httptest.NewServer(server.New(b, server.Options{Logger: discardLogger()}))
	tb.Cleanup(ts.Close)
	return ts.URL
}
