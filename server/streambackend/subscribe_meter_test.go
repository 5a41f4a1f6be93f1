package streambackend_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/throttle"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// pushGate is a stream.PushGate that meters only the pushes of subscriptions.
type pushGate struct{ m *throttle.Meter }

func (pushGate) Write(string, stream.GateShard, int) string { return "" }
func (pushGate) Read(stream.GateShard) string               { return "" }
func (pushGate) ReadDone(stream.GateShard, int)             {}
func (pushGate) Iterator(stream.GateShard) string           { return "" }

func (g pushGate) Push(consumer string, at stream.GateShard) (int64, time.Duration) {
	return g.m.Push(consumer, throttle.Shard{Stream: at.Stream, ShardID: at.ShardID})
}

func (g pushGate) PushDone(consumer string, at stream.GateShard, n int) {
	g.m.PushDone(consumer, throttle.Shard{Stream: at.Stream, ShardID: at.ShardID}, n)
}

// countingSink is a SubscribeToShardSink that counts what it is pushed and sends the
// record count of each event on events.
type countingSink struct {
	records, bytes int // so far
	inEvent        int // records of the event being built
	maxEventBytes  int
	eventBytes     int
	events         chan int
}

func (s *countingSink) Start() error { return nil }

func (s *countingSink) Record(_ []byte, _ int64, key, data []byte) error {
	s.records++
	s.inEvent++
	s.bytes += len(key) + len(data)
	s.eventBytes += len(key) + len(data)
	return nil
}

func (s *countingSink) Event(*server.SubscribeToShardEvent) error {
	s.maxEventBytes = max(s.maxEventBytes, s.eventBytes)
	s.events <- s.inEvent
	s.inEvent, s.eventBytes = 0, 0
	return nil
}

// TestSubscribeToShard_PushMeter: under a 2 MiB/s push quota (AWS's, per consumer and
// shard) on a fake clock, a subscription to a shard holding 3 MiB is pushed exactly 2 MiB at
// once, then waits for its meter, reading nothing, and is pushed exactly what the meter
// gained as the clock moves on: nothing below 32 KiB (1/64 s), then the 33,554 bytes of
// 16 ms as the 32 records of 1 KiB that fit, then the rest. Nothing is dropped.
func TestSubscribeToShard_PushMeter(t *testing.T) {
	clock := &streamClock{ms: streamT0}
	meter := throttle.New(throttle.Limits{PushBytes: throttle.PerSecond(2 << 20)}, clock.Now)
	st := mustOpenStreamStore(t, stream.Options{Now: clock.Now, Gate: pushGate{meter}})
	waits, release := make(chan time.Duration), make(chan struct{})
	b := streambackend.NewWithPushWait(st, func(ctx context.Context, d time.Duration) error {
		select {
		case waits <- d:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	client := newSDKClient(serveOn(t, b, server.Options{Logger: discardLogger()}), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
		ConsumerName: aws.String("c")})
	require.NoError(t, err)
	const records, recordBytes = 3072, 1024 // 3 MiB of data and keys
	data := bytes.Repeat([]byte{'x'}, recordBytes-1)
	for range records / 384 {
		entries := make([]types.PutRecordsRequestEntry, 384)
		for i := range entries {
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: data}
		}
		out, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries})
		require.NoError(t, err)
		require.Zero(t, aws.ToInt32(out.FailedRecordCount))
	}

	sink := &countingSink{events: make(chan int, 100)}
	done := make(chan error, 1)
	go func() {
		done <- b.(server.ShardSubscriber).SubscribeToShard(ctx, &server.SubscribeToShardInput{ConsumerARN: aws.ToString(reg.Consumer.ConsumerARN),
			ShardId: "shardId-000000000000", StartingPosition: &server.StartingPosition{Type: "TRIM_HORIZON"}}, sink)
	}()
	// Each step moves the clock, lets the subscription go on, and sees it wait again.
	steps := []struct {
		advance  time.Duration
		wantWait time.Duration // the wait the meter asks for next
		bytes    int           // pushed in all by then
	}{
		{0, 15625 * time.Microsecond, 2 << 20},                       // a full bucket: 2 MiB at once, then 32 KiB in 15.625 ms
		{15 * time.Millisecond, 625 * time.Microsecond, 2 << 20},     // 31,457 bytes held: nothing read
		{time.Millisecond, 15250 * time.Microsecond, 2<<20 + 32<<10}, // 33,554 held: 32 records; 786 left, 31,982 to come
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		if i > 0 {
			release <- struct{}{}
		}
		select {
		case d := <-waits:
			require.Equal(t, s.wantWait, d.Truncate(time.Microsecond), "step %d: wait", i)
		case err := <-done:
			t.Fatalf("step %d: the subscription ended: %v", i, err)
		}
		require.Equal(t, s.bytes, sink.bytes, "step %d: bytes pushed", i)
		require.Zero(t, sink.bytes%recordBytes)
	}
	require.Equal(t, 2<<20, sink.maxEventBytes, "the largest event: what the meter allowed")

	clock.Advance(time.Second) // a full bucket again: the remaining 992 KiB go at once
	release <- struct{}{}
	for got := 0; sink.records < records; got++ { // the pusher has read the rest once it sent them
		select {
		case <-sink.events:
		case err := <-done:
			t.Fatalf("the subscription ended: %v", err)
		}
	}
	require.Equal(t, records*recordBytes, sink.bytes)
	cancel()
	<-done
}
