package streambackend_test

import (
	"bytes"
	"context"
	"sync/atomic"
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
	records       atomic.Int64 // so far, read while the subscription goes on
	bytes         int          // so far
	lastCont      string       // ContinuationSequenceNumber of the last event
	inEvent       int          // records of the event being built
	maxEventBytes int
	eventBytes    int
	events        chan int
}

func (s *countingSink) Start() error { return nil }

func (s *countingSink) Record(_ []byte, _ int64, key, data []byte) error {
	s.inEvent++
	s.bytes += len(key) + len(data)
	s.eventBytes += len(key) + len(data)
	s.records.Add(1) // last: a reader that sees the count sees the bytes too
	return nil
}

func (s *countingSink) Event(ev *server.SubscribeToShardEvent) error {
	s.lastCont = ev.ContinuationSequenceNumber
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
// meteredSubscription is a subscription from TRIM_HORIZON to a shard holding 3 MiB (3,072
// records of 1 KiB, data and key), under a 2 MiB/s push meter on a fake clock, whose waits
// for the meter are sent on waits and go on at release.
type meteredSubscription struct {
	clock   *streamClock
	sink    *countingSink
	waits   chan time.Duration
	release chan struct{}
	done    chan error
}

const meteredRecords, meteredRecordBytes = 3072, 1024

func startMeteredSubscription(t *testing.T, ctx context.Context) *meteredSubscription {
	t.Helper()
	m := &meteredSubscription{clock: &streamClock{ms: streamT0}, sink: &countingSink{events: make(chan int, 100)},
		waits: make(chan time.Duration), release: make(chan struct{}), done: make(chan error, 1)}
	meter := throttle.New(throttle.Limits{PushBytes: throttle.PerSecond(2 << 20)}, m.clock.Now)
	st := mustOpenStreamStore(t, stream.Options{Now: m.clock.Now, Gate: pushGate{meter}})
	b := streambackend.NewWithPushWait(st, func(ctx context.Context, d time.Duration) error {
		select {
		case m.waits <- d:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-m.release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	client := newSDKClient(serveOn(t, b, server.Options{Logger: discardLogger()}), nil)
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
		ConsumerName: aws.String("c")})
	require.NoError(t, err)
	data := bytes.Repeat([]byte{'x'}, meteredRecordBytes-1)
	for range meteredRecords / 384 {
		entries := make([]types.PutRecordsRequestEntry, 384)
		for i := range entries {
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: data}
		}
		out, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries})
		require.NoError(t, err)
		require.Zero(t, aws.ToInt32(out.FailedRecordCount))
	}
	go func() {
		m.done <- b.(server.ShardSubscriber).SubscribeToShard(ctx, &server.SubscribeToShardInput{ConsumerARN: aws.ToString(reg.Consumer.ConsumerARN),
			ShardId: "shardId-000000000000", StartingPosition: &server.StartingPosition{Type: "TRIM_HORIZON"}}, m.sink)
	}()
	return m
}

// wait returns the next wait of the subscription for its meter.
func (m *meteredSubscription) wait(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-m.waits:
		return d
	case err := <-m.done:
		t.Fatalf("the subscription ended: %v", err)
	}
	return 0
}

func TestSubscribeToShard_PushMeter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m := startMeteredSubscription(t, ctx)
	clock, sink, records, recordBytes := m.clock, m.sink, meteredRecords, meteredRecordBytes
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
			m.release <- struct{}{}
		}
		require.Equal(t, s.wantWait, m.wait(t).Truncate(time.Microsecond), "step %d: wait", i)
		require.Equal(t, s.bytes, sink.bytes, "step %d: bytes pushed", i)
		require.Zero(t, sink.bytes%recordBytes)
	}
	require.Equal(t, 2<<20, sink.maxEventBytes, "the largest event: what the meter allowed")

	clock.Advance(time.Second) // a full bucket again: the remaining 992 KiB go at once
	m.release <- struct{}{}
	for sink.records.Load() < int64(records) {
		select {
		case <-sink.events:
		case err := <-m.done:
			t.Fatalf("the subscription ended: %v", err)
		}
	}
	require.Equal(t, records*recordBytes, sink.bytes)
	cancel()
	<-m.done
}

// TestSubscribeToShard_PushMeter_Heartbeat: a subscription the meter holds back still sends
// an event every 5 s, empty and with the ContinuationSequenceNumber of the last record
// pushed, and reads nothing meanwhile. It takes 5 s.
func TestSubscribeToShard_PushMeter_Heartbeat(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 5 s heartbeat")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m := startMeteredSubscription(t, ctx)
	m.wait(t) // 2 MiB pushed; the fake clock stays, so the meter allows nothing more
	require.Equal(t, 2<<20, m.sink.bytes)
	require.Equal(t, 2048, <-m.sink.events)
	cont := m.sink.lastCont
	for {
		m.release <- struct{}{}
		select {
		case n := <-m.sink.events:
			require.Zero(t, n, "records in the heartbeat")
			require.Equal(t, 2<<20, m.sink.bytes, "pushed while held back")
			require.Equal(t, cont, m.sink.lastCont)
			cancel()
			<-m.done
			return
		case <-m.waits: // the pusher waits on, until the heartbeat is due
		case err := <-m.done:
			t.Fatalf("the subscription ended: %v", err)
		}
	}
}
