package streambackend_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
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
//
// Beside it, in the same run and for the same records, a GetRecords poller of the shard at
// AWS's 5 calls a second per shard (pollEvery between calls) notes when each record reached
// it, and p50-poll-µs and p99-poll-µs are the same measure for the poller: what enhanced
// fan-out saves a consumer that would otherwise poll.
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

			poll := startPoller(b, newSDKClient(url, nil))
			var lat, answers []time.Duration
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				data := []byte(strconv.Itoa(i))
				i++
				_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: data})
				require.NoError(b, err)
				answered := time.Now()
				answers = append(answers, time.Duration(answered.UnixNano()))
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
			polled := poll.wait(b, len(answers))
			for j, at := range answers {
				polled[j] -= at
			}
			slices.Sort(polled)
			b.ReportMetric(float64(polled[len(polled)/2].Microseconds()), "p50-poll-µs")
			b.ReportMetric(float64(polled[len(polled)*99/100].Microseconds()), "p99-poll-µs")
		})
	}
}

// pollEvery is the time between two GetRecords calls of a poller that keeps to AWS's 5
// calls a second per shard.
const pollEvery = 200 * time.Millisecond

// poller reads shard 0 of stream s with GetRecords every pollEvery from where it was when it
// started, and notes when each record (named by its data, the decimal count the benchmark
// writes) reached it.
type poller struct {
	done    chan struct{}
	stopped chan struct{}
	polled  chan struct{} // a token after each call
	mu      sync.Mutex
	arrived map[int]time.Duration // by record count: arrival as Unix ns
	err     error
}

func startPoller(b *testing.B, client *kinesis.Client) *poller {
	ctx := context.Background()
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeLatest})
	require.NoError(b, err)
	p := &poller{done: make(chan struct{}), stopped: make(chan struct{}), polled: make(chan struct{}, 1),
		arrived: map[int]time.Duration{}}
	iterator := it.ShardIterator
	go func() {
		defer close(p.stopped)
		tick := time.NewTicker(pollEvery)
		defer tick.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-tick.C:
			}
			out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iterator})
			if err != nil {
				p.mu.Lock()
				p.err = err
				p.mu.Unlock()
				return
			}
			now := time.Duration(time.Now().UnixNano())
			p.mu.Lock()
			for _, r := range out.Records {
				n, _ := strconv.Atoi(string(r.Data))
				p.arrived[n] = now
			}
			p.mu.Unlock()
			select {
			case p.polled <- struct{}{}:
			default:
			}
			iterator = out.NextShardIterator
		}
	}()
	return p
}

// wait waits until the poller has seen records 0 to n-1 (a few polls at most), stops it,
// and returns their arrival times in order.
func (p *poller) wait(b *testing.B, n int) []time.Duration {
	defer func() { close(p.done); <-p.stopped }()
	deadline := time.NewTimer(10 * pollEvery)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		seen, err := len(p.arrived), p.err
		p.mu.Unlock()
		require.NoError(b, err)
		if seen >= n {
			break
		}
		select {
		case <-p.polled:
		case <-deadline.C:
			require.Failf(b, "poller behind", "the poller saw %d records of %d", seen, n)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]time.Duration, n)
	for i := range out {
		at, ok := p.arrived[i]
		require.True(b, ok, "record %d never reached the poller", i)
		out[i] = at
	}
	return out
}

// serveBench serves b on an httptest.Server until the benchmark ends.
func serveBench(tb testing.TB, b server.Backend) string {
	tb.Helper()
	ts := httptest.NewServer(server.New(b, server.Options{Logger: discardLogger()}))
	tb.Cleanup(ts.Close)
	return ts.URL
}
