package streambackend_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// The SubscribeToShard tests drive the store through the server with the Go SDK v2, which
// reads the event stream over HTTP/1.1 chunked. Each subscription has a client of its own:
// the SDK's event-stream reader races when subscriptions share one.

// subEnv is a store on a fake clock (consumers take consumerDelay to become ACTIVE and to
// go), served by a server.Server on 127.0.0.1, with a stream "s" and an ACTIVE consumer.
type subEnv struct {
	t        *testing.T
	clock    *streamClock
	store    *stream.Store
	url      string
	client   *kinesis.Client // for everything but subscriptions
	consumer string          // the consumer's ARN
}

func newSubEnv(t *testing.T, shards int, opts server.Options) *subEnv {
	t.Helper()
	return newSubEnvGate(t, shards, opts, nil)
}

// newSubEnvGate is newSubEnv with a stream.Gate.
func newSubEnvGate(t *testing.T, shards int, opts server.Options, gate stream.Gate) *subEnv {
	t.Helper()
	clock := &streamClock{ms: streamT0}
	st := mustOpenStreamStore(t, stream.Options{Now: clock.Now, RegisterConsumerDelay: consumerDelay,
		DeregisterConsumerDelay: consumerDelay, Gate: gate})
	opts.Logger = discardLogger()
	e := &subEnv{t: t, clock: clock, store: st, url: serveOn(t, streambackend.New(st), opts)}
	e.client = newSDKClient(e.url, nil)
	ctx := context.Background()
	_, err := e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(int32(shards))})
	require.NoError(t, err)
	e.consumer = e.registerConsumer(t, "c")
	return e
}

// serveOn serves b on 127.0.0.1 with opts until the test ends, and returns its URL.
func serveOn(t *testing.T, b server.Backend, opts server.Options) string {
	t.Helper()
	s := server.New(b, opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go s.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

// registerConsumer registers a consumer, checks that it cannot be subscribed with while
// CREATING, and moves the fake clock on until DescribeStreamConsumer finds it ACTIVE.
func (e *subEnv) registerConsumer(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	reg, err := e.client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
		ConsumerName: aws.String(name)})
	require.NoError(t, err)
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	_, err = newSDKClient(e.url, nil).SubscribeToShard(ctx, subscribeInput(arn, 0, types.ShardIteratorTypeLatest, ""))
	requireSDKError(t, err, "ResourceInUseException", "Consumer "+name+" with creation timestamp "+
		strconv.FormatInt(e.clock.Now().Unix(), 10)+" under stream s and account 000000000000 is not in ACTIVE status.")
	e.clock.Advance(consumerDelay)
	d, err := e.client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, types.ConsumerStatusActive, d.ConsumerDescription.ConsumerStatus)
	return arn
}

func subscribeInput(consumer string, shard int, typ types.ShardIteratorType, seq string) *kinesis.SubscribeToShardInput {
	in := &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(consumer), ShardId: aws.String(fmt.Sprintf("shardId-%012d", shard)),
		StartingPosition: &types.StartingPosition{Type: typ}}
	if seq != "" {
		in.StartingPosition.SequenceNumber = aws.String(seq)
	}
	return in
}

// subscription is one SubscribeToShard stream as the SDK reads it.
type subscription struct {
	t      *testing.T
	stream *kinesis.SubscribeToShardEventStream
}

// subscribe subscribes with a client of its own; the subscription is closed when the test ends.
func subscribe(t *testing.T, url string, in *kinesis.SubscribeToShardInput) *subscription {
	t.Helper()
	out, err := newSDKClient(url, nil).SubscribeToShard(context.Background(), in)
	require.NoError(t, err)
	s := &subscription{t: t, stream: out.GetStream()}
	t.Cleanup(func() { s.stream.Close() })
	return s
}

// next returns the next event, or nil when the stream has ended.
func (s *subscription) next() *types.SubscribeToShardEvent {
	s.t.Helper()
	select {
	case ev, ok := <-s.stream.Events():
		if !ok {
			return nil
		}
		v, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		require.True(s.t, isEvent, "event %T", ev)
		requireContinuation(s.t, &v.Value)
		return &v.Value
	case <-time.After(20 * time.Second):
		s.t.Fatal("no event in 20 s, where one comes at least every 5 s")
		return nil
	}
}

// requireContinuation checks that an event carries a real ContinuationSequenceNumber: the
// last record's when it has records. The last event of a closed shard, the one with
// ChildShards, carries none, as on AWS: consumers (the KCL for Java and for Go, Flink's and
// Beam's Kinesis connectors) take its absence as the shard's end, and would otherwise
// subscribe again after it, forever.
func requireContinuation(t *testing.T, ev *types.SubscribeToShardEvent) {
	t.Helper()
	require.NotNil(t, ev.MillisBehindLatest)
	if len(ev.ChildShards) > 0 {
		require.Nil(t, ev.ContinuationSequenceNumber, "ContinuationSequenceNumber of a closed shard's last event")
		return
	}
	cont := aws.ToString(ev.ContinuationSequenceNumber)
	require.NotEmpty(t, cont, "ContinuationSequenceNumber")
	require.NotEqual(t, "0", cont, "ContinuationSequenceNumber")
	if n := len(ev.Records); n > 0 {
		require.Equal(t, aws.ToString(ev.Records[n-1].SequenceNumber), cont, "ContinuationSequenceNumber of an event with records")
	}
}

// records reads events until n records have come, and returns them with the last event.
func (s *subscription) records(n int) ([]types.Record, *types.SubscribeToShardEvent) {
	s.t.Helper()
	var got []types.Record
	var last *types.SubscribeToShardEvent
	deadline := time.Now().Add(30 * time.Second) // heartbeats keep next from waiting long
	for len(got) < n {
		require.True(s.t, time.Now().Before(deadline), "%d records of %d in 30 s", len(got), n)
		last = s.next()
		require.NotNil(s.t, last, "stream ended after %d records of %d: %v", len(got), n, s.stream.Err())
		got = append(got, last.Records...)
	}
	require.Len(s.t, got, n, "records")
	return got, last
}

// end reads events until the stream ends, and returns the records they carried, the last
// event and the stream's error.
func (s *subscription) end() ([]types.Record, *types.SubscribeToShardEvent, error) {
	s.t.Helper()
	var got []types.Record
	var last *types.SubscribeToShardEvent
	for {
		ev := s.next()
		if ev == nil {
			return got, last, s.stream.Err()
		}
		got, last = append(got, ev.Records...), ev
	}
}

// put writes the records data to stream s with PutRecords, each under its own partition
// key, and returns their sequence numbers by shard.
func (e *subEnv) put(client *kinesis.Client, data ...string) map[string][]string {
	e.t.Helper()
	in := &kinesis.PutRecordsInput{StreamName: aws.String("s")}
	for _, d := range data {
		in.Records = append(in.Records, types.PutRecordsRequestEntry{PartitionKey: aws.String(d), Data: []byte(d)})
	}
	out, err := client.PutRecords(context.Background(), in)
	require.NoError(e.t, err)
	require.Zero(e.t, aws.ToInt32(out.FailedRecordCount))
	seqs := map[string][]string{}
	for _, r := range out.Records {
		seqs[aws.ToString(r.ShardId)] = append(seqs[aws.ToString(r.ShardId)], aws.ToString(r.SequenceNumber))
	}
	return seqs
}

// TestSubscribeToShard_SDK_EveryRecord: subscriptions to every shard of a stream receive,
// in order and unchanged, every record that writers in other goroutines put after they
// started, each once.
func TestSubscribeToShard_SDK_EveryRecord(t *testing.T) {
	const shards, writers, batches, perBatch = 3, 4, 10, 25
	e := newSubEnv(t, shards, server.Options{})
	subs := make([]*subscription, shards)
	for i := range subs {
		subs[i] = subscribe(t, e.url, subscribeInput(e.consumer, i, types.ShardIteratorTypeLatest, ""))
	}

	var mu sync.Mutex
	want := map[string]map[string]string{} // shard → sequence number → data
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := newSDKClient(e.url, nil)
			for b := range batches {
				var data []string
				for r := range perBatch {
					data = append(data, fmt.Sprintf("w%d-b%d-r%d", w, b, r))
				}
				in := &kinesis.PutRecordsInput{StreamName: aws.String("s")}
				for _, d := range data {
					in.Records = append(in.Records, types.PutRecordsRequestEntry{PartitionKey: aws.String(d), Data: []byte(d)})
				}
				out, err := client.PutRecords(context.Background(), in)
				if !assertNoError(t, err) {
					return
				}
				mu.Lock()
				for i, r := range out.Records {
					id := aws.ToString(r.ShardId)
					if want[id] == nil {
						want[id] = map[string]string{}
					}
					want[id][aws.ToString(r.SequenceNumber)] = data[i]
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.False(t, t.Failed())

	total := 0
	for i, s := range subs {
		id := fmt.Sprintf("shardId-%012d", i)
		got, _ := s.records(len(want[id]))
		total += len(got)
		for j, r := range got {
			seq := aws.ToString(r.SequenceNumber)
			require.Equal(t, want[id][seq], string(r.Data), "%s record %d (%s)", id, j, seq)
			require.Equal(t, string(r.Data), aws.ToString(r.PartitionKey))
			if j > 0 {
				require.Less(t, aws.ToString(got[j-1].SequenceNumber), seq, "%s record %d out of order", id, j)
			}
		}
	}
	require.Equal(t, writers*batches*perBatch, total)
}

func assertNoError(t *testing.T, err error) bool {
	t.Helper()
	if err != nil {
		t.Errorf("PutRecords: %v", err)
		return false
	}
	return true
}

// TestSubscribeToShard_SDK_StartingPositions: each of the five starting positions starts
// where GetShardIterator's would, and a record put afterwards follows.
func TestSubscribeToShard_SDK_StartingPositions(t *testing.T) {
	e := newSubEnv(t, 1, server.Options{})
	var seqs, data []string
	for i := range 5 {
		e.clock.Advance(2 * time.Second)
		data = append(data, fmt.Sprintf("r%d", i))
		seqs = append(seqs, e.put(e.client, data[i])["shardId-000000000000"]...)
	}
	at3 := time.UnixMilli(streamT0 + 4*2000 + 1).UTC() // after r2 arrived, before r3
	cases := []struct {
		name  string
		pos   types.StartingPosition
		first int // the first record delivered; -1 for none of those there
	}{
		{"TRIM_HORIZON", types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}, 0},
		{"AT_SEQUENCE_NUMBER", types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(seqs[2])}, 2},
		{"AFTER_SEQUENCE_NUMBER", types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(seqs[2])}, 3},
		{"AT_TIMESTAMP", types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp, Timestamp: &at3}, 3},
		{"LATEST", types.StartingPosition{Type: types.ShardIteratorTypeLatest}, -1},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			consumer := e.consumer
			if i > 0 { // a consumer of its own, so that the takeover rule stays out of the way
				consumer = e.registerConsumer(t, "c"+strconv.Itoa(i))
			}
			in := subscribeInput(consumer, 0, "", "")
			in.StartingPosition = &c.pos
			s := subscribe(t, e.url, in)
			first := c.first
			if first < 0 {
				first = len(seqs)
			}
			data = append(data, "after-"+c.name) // every later case reads it too
			seqs = append(seqs, e.put(e.client, data[len(data)-1])["shardId-000000000000"]...)
			got, _ := s.records(len(seqs) - first)
			for j, r := range got {
				require.Equal(t, seqs[first+j], aws.ToString(r.SequenceNumber), "record %d", j)
				require.Equal(t, data[first+j], string(r.Data), "record %d", j)
			}
		})
	}
}

// TestSubscribeToShard_SDK_Errors: errors found before the stream starts are ordinary
// answers, with GetShardIterator's messages for the starting position.
func TestSubscribeToShard_SDK_Errors(t *testing.T) {
	e := newSubEnv(t, 1, server.Options{})
	ctx := context.Background()
	other := consumerStreamARN + "/consumer/nobody:1700000000"
	cases := []struct {
		name      string
		in        *kinesis.SubscribeToShardInput
		code, msg string
	}{
		{"unknown consumer", subscribeInput(other, 0, types.ShardIteratorTypeLatest, ""), "ResourceNotFoundException",
			"Consumer " + other + ", account 000000000000 not found."},
		{"unknown shard", subscribeInput(e.consumer, 7, types.ShardIteratorTypeLatest, ""), "ResourceNotFoundException",
			"Shard shardId-000000000007 in stream s under account 000000000000 does not exist"},
		{"sequence number missing", subscribeInput(e.consumer, 0, types.ShardIteratorTypeAtSequenceNumber, ""), "InvalidArgumentException",
			"Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."},
		{"timestamp missing", subscribeInput(e.consumer, 0, types.ShardIteratorTypeAtTimestamp, ""), "InvalidArgumentException",
			"Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := newSDKClient(e.url, nil).SubscribeToShard(ctx, c.in)
			requireSDKError(t, err, c.code, c.msg)
		})
	}
}

// requireStreamException checks that a stream ended with an exception event of type code.
func requireStreamException(t *testing.T, err error, code, msg string) {
	t.Helper()
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr, "the stream's end")
	require.Equal(t, code, apiErr.ErrorCode(), "error %v", err)
	require.Equal(t, msg, apiErr.ErrorMessage())
}

// TestSubscribeToShard_SDK_Takeover: a second subscription of a consumer to a shard within
// 5 s of the first (on the store's clock) is refused; after that it takes over, and the
// first ends with ResourceInUseException. Another shard, or another consumer, is not
// affected.
func TestSubscribeToShard_SDK_Takeover(t *testing.T) {
	e := newSubEnv(t, 2, server.Options{})
	ctx := context.Background()
	otherConsumer := e.registerConsumer(t, "other") // before the clock counts the window
	first := subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, ""))
	subscribe(t, e.url, subscribeInput(e.consumer, 1, types.ShardIteratorTypeTrimHorizon, ""))
	other := subscribe(t, e.url, subscribeInput(otherConsumer, 0, types.ShardIteratorTypeTrimHorizon, ""))

	e.clock.Advance(takeoverAfter - time.Millisecond)
	_, err := newSDKClient(e.url, nil).SubscribeToShard(ctx, subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, ""))
	requireSDKError(t, err, "ResourceInUseException", "Another active subscription exists for consumer "+e.consumer+
		" on shard shardId-000000000000; a new one may take it over 5 seconds after it started.")

	e.clock.Advance(time.Millisecond)
	second := subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, ""))
	_, _, err = first.end()
	requireStreamException(t, err, "ResourceInUseException", "The subscription of consumer "+e.consumer+
		" to shard shardId-000000000000 was taken over by a newer subscription.")

	seq := e.put(e.client, "after the takeover")["shardId-000000000000"][0]
	for _, s := range []*subscription{second, other} {
		got, _ := s.records(1)
		require.Equal(t, seq, aws.ToString(got[0].SequenceNumber))
	}
}

// takeoverAfter is the takeover window of SubscribeToShard.
const takeoverAfter = 5 * time.Second

// TestSubscribeToShard_SDK_Lifetime: a subscription ends, without an exception, when
// server.Options.SubscriptionLifetime has passed, and the consumer subscribes again.
func TestSubscribeToShard_SDK_Lifetime(t *testing.T) {
	e := newSubEnv(t, 1, server.Options{SubscriptionLifetime: 300 * time.Millisecond})
	s := subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, ""))
	seq := e.put(e.client, "r0")["shardId-000000000000"][0]
	got, _, err := s.end()
	require.NoError(t, err, "the end of the lifetime is no error")
	require.Len(t, got, 1)
	require.Equal(t, seq, aws.ToString(got[0].SequenceNumber))

	e.clock.Advance(takeoverAfter)
	s = subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeAfterSequenceNumber, seq))
	_, _, err = s.end()
	require.NoError(t, err)
}

// TestSubscribeToShard_SDK_ConsumerGone: deregistering the consumer, or deleting its
// stream, ends its subscriptions with the exception event that a new subscription would
// be answered with.
func TestSubscribeToShard_SDK_ConsumerGone(t *testing.T) {
	cases := []struct {
		name      string
		end       func(e *subEnv) error
		code, msg func(e *subEnv) string
	}{
		{"deregister", func(e *subEnv) error {
			_, err := e.client.DeregisterStreamConsumer(context.Background(), &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(e.consumer)})
			return err
		}, func(*subEnv) string { return "ResourceInUseException" }, func(e *subEnv) string {
			return "Consumer c with creation timestamp " + strconv.FormatInt(streamT0/1000, 10) +
				" under stream s and account 000000000000 is not in ACTIVE status."
		}},
		{"delete stream", func(e *subEnv) error {
			_, err := e.client.DeleteStream(context.Background(), &kinesis.DeleteStreamInput{StreamName: aws.String("s"),
				EnforceConsumerDeletion: aws.Bool(true)})
			return err
		}, func(*subEnv) string { return "ResourceNotFoundException" }, func(e *subEnv) string {
			return "Consumer " + e.consumer + ", account 000000000000 not found."
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newSubEnv(t, 1, server.Options{})
			s := subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, ""))
			e.put(e.client, "r0")
			s.records(1)
			require.NoError(t, c.end(e))
			_, _, err := s.end()
			requireStreamException(t, err, c.code(e), c.msg(e))
		})
	}
}

// TestSubscribeToShard_SDK_Split: a subscription to a shard that is split while it reads
// gets the parent's records, then ChildShards in its last event, and ends; subscriptions
// to the children get the records put after the split.
func TestSubscribeToShard_SDK_Split(t *testing.T) {
	e := newSubEnv(t, 1, server.Options{})
	ctx := context.Background()
	parent := subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, ""))
	before := e.put(e.client, "a", "b", "c")["shardId-000000000000"]
	got, _ := parent.records(len(before))
	require.Equal(t, before, sequenceNumbers(got))

	_, err := e.client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728")})
	require.NoError(t, err)
	after := e.put(e.client, "d", "e", "f", "g", "h", "i")
	require.Empty(t, after["shardId-000000000000"], "records put after the split went to the parent")

	more, last, err := parent.end()
	require.NoError(t, err, "a closed shard's end is no error")
	require.Empty(t, more)
	require.Nil(t, last.ContinuationSequenceNumber, "the last event of a closed shard has no ContinuationSequenceNumber")
	require.Len(t, last.ChildShards, 2)
	for i, child := range last.ChildShards {
		id := aws.ToString(child.ShardId)
		require.Equal(t, fmt.Sprintf("shardId-%012d", i+1), id)
		require.Equal(t, []string{"shardId-000000000000"}, child.ParentShards)
		s := subscribe(t, e.url, subscribeInput(e.consumer, i+1, types.ShardIteratorTypeTrimHorizon, ""))
		got, _ := s.records(len(after[id]))
		require.Equal(t, after[id], sequenceNumbers(got), "records of %s", id)
	}
}

func sequenceNumbers(records []types.Record) []string {
	var out []string
	for _, r := range records {
		out = append(out, aws.ToString(r.SequenceNumber))
	}
	return out
}

// TestSubscribeToShard_SDK_Heartbeat: an idle subscription gets an empty event within 5 s
// whose ContinuationSequenceNumber, before any record, resumes where it stood: at the
// shard's first record, with AFTER_SEQUENCE_NUMBER as with AT_SEQUENCE_NUMBER.
func TestSubscribeToShard_SDK_Heartbeat(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 5-second heartbeat")
	}
	e := newSubEnv(t, 1, server.Options{})
	s := subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, ""))
	ev := s.next()
	require.NotNil(t, ev)
	require.Empty(t, ev.Records)
	cont := aws.ToString(ev.ContinuationSequenceNumber)
	s.stream.Close()

	// Subscribed again while the shard is still empty, and when its first record is there.
	e.clock.Advance(takeoverAfter)
	after := subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeAfterSequenceNumber, cont))
	at := subscribe(t, e.url, subscribeInput(e.registerConsumer(t, "at"), 0, types.ShardIteratorTypeAtSequenceNumber, cont))
	seq := e.put(e.client, "r0")["shardId-000000000000"][0]
	late := subscribe(t, e.url, subscribeInput(e.registerConsumer(t, "late"), 0, types.ShardIteratorTypeAfterSequenceNumber, cont))
	for name, s := range map[string]*subscription{"AFTER_SEQUENCE_NUMBER": after, "AT_SEQUENCE_NUMBER": at, "AFTER_SEQUENCE_NUMBER later": late} {
		got, _ := s.records(1)
		require.Equal(t, seq, aws.ToString(got[0].SequenceNumber), "%s %s", name, cont)
	}
}

// TestSubscribeToShard_SDK_Restart: a server that stops ends its subscriptions without an
// exception; the client subscribes to the restarted server with AFTER_SEQUENCE_NUMBER of
// the last ContinuationSequenceNumber and gets every record after it, none twice.
func TestSubscribeToShard_SDK_Restart(t *testing.T) {
	dir := t.TempDir()
	clock := &streamClock{ms: streamT0}
	opts := stream.Options{Now: clock.Now, Shard: shard.Options{Sync: shard.SyncNone}, Logger: discardLogger()}
	start := func() (string, func()) {
		m, err := streambackend.Open(dir, opts)
		require.NoError(t, err)
		s := server.New(m, server.Options{Logger: discardLogger()})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() { done <- s.Serve(ln) }()
		return "http://" + ln.Addr().String(), func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			require.NoError(t, s.Shutdown(ctx))
			require.ErrorIs(t, <-done, server.ErrClosed)
			require.NoError(t, m.Close())
		}
	}
	ctx := context.Background()
	url, stop := start()
	client := newSDKClient(url, nil)
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
		ConsumerName: aws.String("c")})
	require.NoError(t, err)
	consumer := aws.ToString(reg.Consumer.ConsumerARN)
	putN := func(client *kinesis.Client, from, n int) []string {
		e := &subEnv{t: t}
		var data []string
		for i := range n {
			data = append(data, "r"+strconv.Itoa(from+i))
		}
		return e.put(client, data...)["shardId-000000000000"]
	}

	s := subscribe(t, url, subscribeInput(consumer, 0, types.ShardIteratorTypeTrimHorizon, ""))
	want := putN(client, 0, 10)
	got, last := s.records(10)
	stop()
	more, _, err := s.end()
	require.NoError(t, err, "a server that stops ends the stream without an exception")
	require.Empty(t, more)
	cont := aws.ToString(last.ContinuationSequenceNumber)

	url, stop = start()
	defer stop()
	client = newSDKClient(url, nil)
	want = append(want, putN(client, 10, 10)...)
	s = subscribe(t, url, subscribeInput(consumer, 0, types.ShardIteratorTypeAfterSequenceNumber, cont))
	rest, _ := s.records(10)
	got = append(got, rest...)
	require.Equal(t, want, sequenceNumbers(got))
	for i, r := range got {
		require.Equal(t, "r"+strconv.Itoa(i), string(r.Data))
	}
	s.stream.Close()
}

// TestSubscribeToShard_SDK_Merge: subscriptions to two shards that are merged while they
// read each end with the one child in ChildShards, naming both parents; a subscription to
// the child gets the records put after the merge.
func TestSubscribeToShard_SDK_Merge(t *testing.T) {
	e := newSubEnv(t, 2, server.Options{})
	parents := []*subscription{
		subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, "")),
		subscribe(t, e.url, subscribeInput(e.consumer, 1, types.ShardIteratorTypeTrimHorizon, "")),
	}
	before := e.put(e.client, "a", "b", "c", "d", "e", "f")
	_, err := e.client.MergeShards(context.Background(), &kinesis.MergeShardsInput{StreamName: aws.String("s"),
		ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")})
	require.NoError(t, err)
	after := e.put(e.client, "g", "h", "i")
	require.Len(t, after["shardId-000000000002"], 3, "records put after the merge go to the child")

	for i, s := range parents {
		id := fmt.Sprintf("shardId-%012d", i)
		got, last, err := s.end()
		require.NoError(t, err, "%s: a closed shard's end is no error", id)
		require.Equal(t, before[id], sequenceNumbers(got), "records of %s", id)
		require.Len(t, last.ChildShards, 1, id)
		require.Equal(t, "shardId-000000000002", aws.ToString(last.ChildShards[0].ShardId))
		require.Equal(t, []string{"shardId-000000000000", "shardId-000000000001"}, last.ChildShards[0].ParentShards)
	}
	child := subscribe(t, e.url, subscribeInput(e.consumer, 2, types.ShardIteratorTypeTrimHorizon, ""))
	got, _ := child.records(3)
	require.Equal(t, after["shardId-000000000002"], sequenceNumbers(got))
}

// pollingRefused is a stream.Gate that lets writes through and refuses every GetRecords
// and GetShardIterator, as a shard whose polling quota is spent.
type pollingRefused struct{}

func (pollingRefused) Write(string, stream.GateShard, int) string { return "" }
func (pollingRefused) Read(stream.GateShard) string {
	return "ProvisionedThroughputExceededException"
}
func (pollingRefused) ReadDone(stream.GateShard, int) {}
func (pollingRefused) Iterator(stream.GateShard) string {
	return "ProvisionedThroughputExceededException"
}

// TestSubscribeToShard_SDK_NotPollingQuota: a subscription's reads and its starting
// iterator are not asked of the Gate's GetRecords and GetShardIterator quotas (enhanced
// fan-out has its own throughput on AWS), so it delivers while pollers are refused.
func TestSubscribeToShard_SDK_NotPollingQuota(t *testing.T) {
	e := newSubEnvGate(t, 1, server.Options{}, pollingRefused{})
	_, err := e.client.GetShardIterator(context.Background(), &kinesis.GetShardIteratorInput{StreamName: aws.String("s"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeLatest})
	requireSDKError(t, err, "ProvisionedThroughputExceededException",
		"Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.")
	s := subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, ""))
	want := e.put(e.client, "a", "b")["shardId-000000000000"]
	got, _ := s.records(2)
	require.Equal(t, want, sequenceNumbers(got))
}

// TestSubscribeToShard_SDK_Encrypted: the records an event carries from an encrypted stream
// have EncryptionType KMS, as GetRecords's do.
func TestSubscribeToShard_SDK_Encrypted(t *testing.T) {
	e := newSubEnv(t, 1, server.Options{})
	ctx := context.Background()
	_, err := e.client.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("s"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
	require.NoError(t, err)
	e.clock.Advance(time.Minute) // past the UPDATING delay, if any
	s := subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, ""))
	e.put(e.client, "secret")
	got, _ := s.records(1)
	require.Equal(t, "secret", string(got[0].Data))
	require.Equal(t, types.EncryptionTypeKms, got[0].EncryptionType)
}

// TestSubscribeToShard_SDK_DryRun: SubscribeToShard is the fifth operation that takes DryRun:
// a good request answers DryRunOperationException without starting a stream or taking the
// consumer's shard (a real subscription right after it is not refused by the takeover
// rule), and a bad one still gets its own error.
func TestSubscribeToShard_SDK_DryRun(t *testing.T) {
	e := newSubEnv(t, 1, server.Options{})
	ctx := context.Background()
	in := subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, "")
	in.DryRun = aws.Bool(true)
	_, err := newSDKClient(e.url, nil).SubscribeToShard(ctx, in)
	requireSDKError(t, err, "DryRunOperationException", "Request would have succeeded, but DryRun flag is set.")

	bad := subscribeInput(e.consumer, 7, types.ShardIteratorTypeTrimHorizon, "")
	bad.DryRun = aws.Bool(true)
	_, err = newSDKClient(e.url, nil).SubscribeToShard(ctx, bad)
	requireSDKError(t, err, "ResourceNotFoundException",
		"Shard shardId-000000000007 in stream s under account 000000000000 does not exist")

	s := subscribe(t, e.url, subscribeInput(e.consumer, 0, types.ShardIteratorTypeTrimHorizon, ""))
	e.put(e.client, "after the dry run")
	got, _ := s.records(1)
	require.Equal(t, "after the dry run", string(got[0].Data))
}
