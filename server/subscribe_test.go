package server_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/eventstream"
	slkinesis "github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
)

const consumerARNA = "arn:aws:kinesis:us-east-1:123456789012:stream/a/consumer/c:1700000000"

// eventWait bounds each wait for an event, so that a lost event fails the
// test instead of hanging it.
const eventWait = 10 * time.Second

// subscribeBackend is a fake Backend that carries out SubscribeToShard with run.
type subscribeBackend struct {
	*fakeBackend
	inputs chan *server.SubscribeToShardInput
	run    func(ctx context.Context, in *server.SubscribeToShardInput, events server.SubscribeToShardSink) error
}

func (b *subscribeBackend) SubscribeToShard(ctx context.Context, in *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
	select {
	case b.inputs <- in:
	default:
	}
	return b.run(ctx, in, events)
}

func newSubscribeBackend(run func(context.Context, *server.SubscribeToShardInput, server.SubscribeToShardSink) error) *subscribeBackend {
	return &subscribeBackend{fakeBackend: newFakeBackend(), inputs: make(chan *server.SubscribeToShardInput, 1), run: run}
}

// testRecord is a record as a subscription sends it.
type testRecord struct {
	SequenceNumber              string
	ApproximateArrivalTimestamp time.Time
	Data                        []byte
	PartitionKey                string
}

// pushed is one step of a scripted subscription: an event with its records,
// or the error that ends the stream.
type pushed struct {
	records []testRecord
	event   server.SubscribeToShardEvent
	err     error
}

// scripted returns a subscription that starts at once, then sends what the
// test pushes, as it pushes it.
func scripted(push <-chan pushed) func(context.Context, *server.SubscribeToShardInput, server.SubscribeToShardSink) error {
	return func(ctx context.Context, _ *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
		if err := events.Start(); err != nil {
			return err
		}
		for {
			select {
			case p := <-push:
				if p.err != nil {
					return p.err
				}
				for _, r := range p.records {
					if err := events.Record([]byte(r.SequenceNumber), r.ApproximateArrivalTimestamp.UnixMilli(), []byte(r.PartitionKey), r.Data); err != nil {
						return err
					}
				}
				if err := events.Event(&p.event); err != nil {
					return err
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

var subscribeInput = &kinesis.SubscribeToShardInput{
	ConsumerARN: aws.String(consumerARNA),
	ShardId:     aws.String("shardId-000000000001"),
	StartingPosition: &types.StartingPosition{
		Type:           types.ShardIteratorTypeAfterSequenceNumber,
		SequenceNumber: aws.String("49590338271490256608559692538361571095921575989136588898"),
	},
}

// nextEvent receives the next event of a stream, failing the test if none
// comes or the stream ends.
func nextEvent(t *testing.T, stream *kinesis.SubscribeToShardEventStream) types.SubscribeToShardEvent {
	t.Helper()
	select {
	case ev, ok := <-stream.Events():
		if !ok {
			t.Fatalf("stream ended early: %v", stream.Err())
		}
		e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if !isEvent {
			t.Fatalf("event of type %T, want SubscribeToShardEvent", ev)
		}
		return e.Value
	case <-time.After(eventWait):
		t.Fatalf("no event within %v", eventWait)
	}
	panic("unreachable")
}

// requireStreamEnd waits for the stream to end and returns its error.
func requireStreamEnd(t *testing.T, stream *kinesis.SubscribeToShardEventStream) error {
	t.Helper()
	select {
	case ev, ok := <-stream.Events():
		if ok {
			t.Fatalf("event %#v after the last one", ev)
		}
		return stream.Err()
	case <-time.After(eventWait):
		t.Fatalf("stream still open %v after its end", eventWait)
	}
	return nil
}

// TestSubscribeToShard_SDK drives the Go SDK v2 over HTTP/1.1 (as it talks to
// AWS) and over h2c (as the JavaScript and Java SDKs do): the call returns on
// the initial response, before any event; each event arrives as the Backend
// sends it, with its records, continuation, lag and children intact; and the
// exception event ends the stream with its type and message.
func TestSubscribeToShard_SDK(t *testing.T) {
	for _, transport := range []struct {
		name   string
		client *http.Client
	}{{"http1.1", &http.Client{}}, {"h2c", h2cClient()}} {
		t.Run(transport.name, func(t *testing.T) {
			push := make(chan pushed)
			b := newSubscribeBackend(scripted(push))
			_, url := mustServe(t, b)
			client := newSDKClient(url, transport.client)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()

			out, err := client.SubscribeToShard(ctx, subscribeInput)
			require.NoError(t, err, "SubscribeToShard must return on the initial response, before any event")
			stream := out.GetStream()
			defer stream.Close()
			require.Equal(t, &server.SubscribeToShardInput{
				ConsumerARN: consumerARNA, ShardId: "shardId-000000000001",
				StartingPosition: &server.StartingPosition{Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: *subscribeInput.StartingPosition.SequenceNumber},
			}, <-b.inputs)

			arrival := time.UnixMilli(1700000000123).UTC()
			steps := []pushed{
				{event: server.SubscribeToShardEvent{ContinuationSequenceNumber: "100", MillisBehindLatest: 0}},
				{records: []testRecord{
					{SequenceNumber: "101", ApproximateArrivalTimestamp: arrival, Data: []byte("one"), PartitionKey: "k1"},
					{SequenceNumber: "102", ApproximateArrivalTimestamp: arrival, Data: []byte{0, 0xff, '"'}, PartitionKey: "k\"2"},
				}, event: server.SubscribeToShardEvent{ContinuationSequenceNumber: "102", MillisBehindLatest: 1500}},
				{event: server.SubscribeToShardEvent{ContinuationSequenceNumber: "102", ChildShards: []server.ChildShard{{
					ShardId: "shardId-000000000003", ParentShards: []string{"shardId-000000000001"},
					HashKeyRange: server.HashKeyRange{StartingHashKey: "0", EndingHashKey: "99"},
				}}}},
			}
			for i, step := range steps {
				push <- step // the previous event arrived before this one is sent
				got := nextEvent(t, stream)
				require.Equal(t, step.event.ContinuationSequenceNumber, aws.ToString(got.ContinuationSequenceNumber), "event %d", i)
				require.Equal(t, step.event.MillisBehindLatest, aws.ToInt64(got.MillisBehindLatest), "event %d", i)
				require.Len(t, got.Records, len(step.records), "event %d", i)
				for j, want := range step.records {
					r := got.Records[j]
					require.Equal(t, want.SequenceNumber, aws.ToString(r.SequenceNumber))
					require.Equal(t, want.Data, r.Data)
					require.Equal(t, want.PartitionKey, aws.ToString(r.PartitionKey))
					require.True(t, want.ApproximateArrivalTimestamp.Equal(*r.ApproximateArrivalTimestamp), "arrival %v, want %v", r.ApproximateArrivalTimestamp, want.ApproximateArrivalTimestamp)
				}
				require.Len(t, got.ChildShards, len(step.event.ChildShards), "event %d", i)
				for j, want := range step.event.ChildShards {
					c := got.ChildShards[j]
					require.Equal(t, want.ShardId, aws.ToString(c.ShardId))
					require.Equal(t, want.ParentShards, c.ParentShards)
					require.Equal(t, want.HashKeyRange.EndingHashKey, aws.ToString(c.HashKeyRange.EndingHashKey))
				}
			}
			push <- pushed{err: &slkinesis.Error{Type: slkinesis.TypeResourceInUse, Message: "Another subscription took over."}}
			requireSDKError(t, requireStreamEnd(t, stream), "ResourceInUseException", "Another subscription took over.")
		})
	}
}

// TestSubscribeToShard_ErrorBeforeStart: a Backend error before Start is an
// ordinary error answer, which the SDK returns from the call itself.
func TestSubscribeToShard_ErrorBeforeStart(t *testing.T) {
	b := newSubscribeBackend(func(context.Context, *server.SubscribeToShardInput, server.SubscribeToShardSink) error {
		return &slkinesis.Error{Type: slkinesis.TypeResourceNotFound, Message: "Consumer " + consumerARNA + " not found."}
	})
	_, url := mustServe(t, b)
	_, err := newSDKClient(url, nil).SubscribeToShard(context.Background(), subscribeInput)
	requireSDKError(t, err, "ResourceNotFoundException", "Consumer "+consumerARNA+" not found.")
}

// TestSubscribeToShard_Validation: the input's shapes are checked with
// coral's messages before the Backend is called.
func TestSubscribeToShard_Validation(t *testing.T) {
	called := false
	b := newSubscribeBackend(func(context.Context, *server.SubscribeToShardInput, server.SubscribeToShardSink) error {
		called = true
		return nil
	})
	s := server.New(b, server.Options{Logger: quietLogger()})
	const shard = `"ShardId":"shardId-000000000000"`
	const arn = `"ConsumerARN":"` + consumerARNA + `"`
	tests := []struct {
		name, body, wantType, wantMessage string
	}{
		{"no_starting_position", `{` + arn + `,` + shard + `}`, "ValidationException",
			"1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null"},
		{"no_type", `{` + arn + `,` + shard + `,"StartingPosition":{}}`, "ValidationException",
			"1 validation error detected: Value null at 'startingPosition.type' failed to satisfy constraint: Member must not be null"},
		{"bad_type", `{` + arn + `,` + shard + `,"StartingPosition":{"Type":"NOW"}}`, "ValidationException",
			"1 validation error detected: Value 'NOW' at 'startingPosition.type' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"},
		{"bad_sequence_number", `{` + arn + `,` + shard + `,"StartingPosition":{"Type":"AT_SEQUENCE_NUMBER","SequenceNumber":"01"}}`, "ValidationException",
			"1 validation error detected: Value '01' at 'startingPosition.sequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})"},
		{"bad_consumer_arn", `{"ConsumerARN":"arn:aws:kinesis:us-east-1:123456789012:stream/a",` + shard + `,"StartingPosition":{"Type":"LATEST"}}`, "ValidationException",
			"1 validation error detected: Value 'arn:aws:kinesis:us-east-1:123456789012:stream/a' at 'consumerARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+"},
		{"nothing", `{}`, "ValidationException",
			"3 validation errors detected: Value null at 'consumerARN' failed to satisfy constraint: Member must not be null; Value null at 'shardId' failed to satisfy constraint: Member must not be null; Value null at 'startingPosition' failed to satisfy constraint: Member must not be null"},
		{"timestamp_as_string", `{` + arn + `,` + shard + `,"StartingPosition":{"Type":"AT_TIMESTAMP","Timestamp":"x"}}`, "SerializationException",
			"class java.lang.String can not be converted to milliseconds since epoch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, s, "SubscribeToShard", tc.body)
			require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			require.Equal(t, "application/x-amz-json-1.1", w.Header().Get("Content-Type"))
			require.Contains(t, w.Body.String(), `"__type":"`+tc.wantType+`"`)
			require.Contains(t, w.Body.String(), jsonQuote(tc.wantMessage))
		})
	}
	require.False(t, called, "the Backend was called for an invalid request")
}

// jsonQuote returns s as the body's JSON writes it (quotes and backslashes escaped).
func jsonQuote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// wireMessage is a decoded message, its headers as strings.
type wireMessage struct {
	headers map[string]string
	payload string
}

// readMessages reads every message of an event-stream body until it ends.
func readMessages(t *testing.T, resp *http.Response) []wireMessage {
	t.Helper()
	var msgs []wireMessage
	r := eventstream.NewReader(resp.Body, 0)
	for {
		m, err := r.Next()
		if errors.Is(err, io.EOF) {
			return msgs
		}
		require.NoError(t, err)
		w := wireMessage{headers: map[string]string{}, payload: string(m.Payload)}
		for _, h := range m.Headers {
			w.headers[h.Name] = h.String()
		}
		msgs = append(msgs, w)
	}
}

// TestSubscribeToShard_Wire: the bytes a client reads, for a JSON and a CBOR
// request: the event-stream content type, chunked over HTTP/1.1, the headers
// of each message as AWS sends them, and JSON payloads for both.
func TestSubscribeToShard_Wire(t *testing.T) {
	b := newSubscribeBackend(func(_ context.Context, _ *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
		if err := events.Record([]byte("7"), 1700000000123, []byte("pk"), []byte("hi")); err != nil {
			return err
		}
		if err := events.Event(&server.SubscribeToShardEvent{ContinuationSequenceNumber: "7", MillisBehindLatest: 3}); err != nil {
			return err
		}
		return &slkinesis.Error{Type: slkinesis.TypeResourceNotFound, Message: "Stream a was deleted."}
	})
	_, url := mustServe(t, b)
	initial := wireMessage{headers: map[string]string{":message-type": "event", ":event-type": "initial-response", ":content-type": "application/json"}, payload: "{}"}
	event := wireMessage{headers: map[string]string{":message-type": "event", ":event-type": "SubscribeToShardEvent", ":content-type": "application/json"},
		payload: `{"Records":[{"SequenceNumber":"7","ApproximateArrivalTimestamp":1700000000.123,"Data":"aGk=","PartitionKey":"pk"}],"ContinuationSequenceNumber":"7","MillisBehindLatest":3}`}
	exception := wireMessage{headers: map[string]string{":message-type": "exception", ":exception-type": "ResourceNotFoundException", ":content-type": "application/json"},
		payload: `{"message":"Stream a was deleted."}`}
	for _, tc := range []struct{ name, contentType, body string }{
		{"json", "application/x-amz-json-1.1", `{"ConsumerARN":"` + consumerARNA + `","ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}}`},
		{"cbor", "application/x-amz-cbor-1.1", cborSubscribeBody()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(tc.body))
			require.NoError(t, err)
			signed(req, "SubscribeToShard")
			req.Header.Set("Content-Type", tc.contentType)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, "application/vnd.amazon.eventstream", resp.Header.Get("Content-Type"))
			require.Equal(t, []string{"chunked"}, resp.TransferEncoding)
			require.NotEmpty(t, header(resp.Header, "x-amzn-RequestId"))
			require.Equal(t, []wireMessage{initial, event, exception}, readMessages(t, resp))
		})
	}
}

// cborSubscribeBody is the CBOR of a SubscribeToShard request at LATEST.
func cborSubscribeBody() string {
	text := func(s string) string { return string(rune(0x60+len(s))) + s }
	long := func(s string) string { return "\x78" + string(rune(len(s))) + s }
	return "\xa3" + text("ConsumerARN") + long(consumerARNA) +
		text("ShardId") + text("shardId-000000000000") +
		long("StartingPosition") + "\xa1" + text("Type") + text("LATEST")
}

// TestSubscribeToShard_Ends: the ways a stream ends after Start, and what the
// client sees of each.
func TestSubscribeToShard_Ends(t *testing.T) {
	waitForEnd := func(ctx context.Context, _ *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
		if err := events.Start(); err != nil {
			return err
		}
		<-ctx.Done()
		return ctx.Err()
	}
	tests := []struct {
		name     string
		opts     server.Options
		run      func(context.Context, *server.SubscribeToShardInput, server.SubscribeToShardSink) error
		wantCode string // the exception that ends the stream; "" for a clean end
	}{
		{"lifetime", server.Options{SubscriptionLifetime: 200 * time.Millisecond}, waitForEnd, ""},
		{"backend_returns_nil", server.Options{}, func(_ context.Context, _ *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
			return events.Event(&server.SubscribeToShardEvent{ContinuationSequenceNumber: "1"})
		}, ""},
		{"panic", server.Options{}, func(_ context.Context, _ *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
			events.Start()
			panic("backend bug")
		}, "InternalFailureException"},
		{"error_outside_the_union", server.Options{}, func(_ context.Context, _ *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
			events.Start()
			return &slkinesis.Error{Type: slkinesis.TypeInvalidArgument, Message: "not an event-stream exception"}
		}, "InternalFailureException"},
		{"kms", server.Options{}, func(_ context.Context, _ *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
			events.Start()
			return &slkinesis.Error{Type: "KMSThrottlingException", Message: "slow down"}
		}, "KMSThrottlingException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, url := mustServe(t, newSubscribeBackend(tc.run), tc.opts)
			out, err := newSDKClient(url, nil).SubscribeToShard(context.Background(), subscribeInput)
			require.NoError(t, err)
			stream := out.GetStream()
			defer stream.Close()
			for {
				select {
				case _, ok := <-stream.Events():
					if ok {
						continue
					}
				case <-time.After(eventWait):
					t.Fatalf("stream still open after %v", eventWait)
				}
				break
			}
			err = stream.Err()
			if tc.wantCode == "" {
				require.NoError(t, err)
				return
			}
			var apiErr smithy.APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, tc.wantCode, apiErr.ErrorCode())
		})
	}
}

// TestSubscribeToShard_Shutdown: Shutdown ends every stream, and returns
// without waiting for the subscriptions' lifetime.
func TestSubscribeToShard_Shutdown(t *testing.T) {
	ended := make(chan error, 2)
	b := newSubscribeBackend(func(ctx context.Context, _ *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
		if err := events.Start(); err != nil {
			return err
		}
		<-ctx.Done()
		ended <- ctx.Err()
		return ctx.Err()
	})
	s := server.New(b, server.Options{Logger: quietLogger()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	for _, hc := range []*http.Client{{}, h2cClient()} {
		out, err := newSDKClient("http://"+ln.Addr().String(), hc).SubscribeToShard(context.Background(), subscribeInput)
		require.NoError(t, err)
		defer out.GetStream().Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), eventWait)
	defer cancel()
	require.NoError(t, s.Shutdown(ctx))
	require.ErrorIs(t, <-served, server.ErrClosed)
	for range 2 {
		require.ErrorIs(t, <-ended, context.Canceled)
	}
}

// TestSubscribeToShard_OutlivesServerTimeouts: the server's read-header,
// idle and body timeouts, here 50 ms, do not cut a stream that lasts longer;
// events still arrive after ten times that.
func TestSubscribeToShard_OutlivesServerTimeouts(t *testing.T) {
	const timeout = 50 * time.Millisecond
	for _, transport := range []struct {
		name   string
		client *http.Client
	}{{"http1.1", &http.Client{}}, {"h2c", h2cClient()}} {
		t.Run(transport.name, func(t *testing.T) {
			push := make(chan pushed)
			b := newSubscribeBackend(scripted(push))
			_, url := mustServe(t, b, server.Options{ReadHeaderTimeout: timeout, IdleTimeout: timeout, BodyReadTimeout: timeout})
			out, err := newSDKClient(url, transport.client).SubscribeToShard(context.Background(), subscribeInput)
			require.NoError(t, err)
			stream := out.GetStream()
			defer stream.Close()
			<-time.After(10 * timeout) // what is tested is that time passes
			push <- pushed{event: server.SubscribeToShardEvent{ContinuationSequenceNumber: "5"}}
			require.Equal(t, "5", aws.ToString(nextEvent(t, stream).ContinuationSequenceNumber))
		})
	}
}

// TestSubscribeToShard_ClientGoesAway: a client that closes its stream ends
// the subscription's context, over HTTP/1.1 and h2c, so that the Backend stops.
func TestSubscribeToShard_ClientGoesAway(t *testing.T) {
	for _, transport := range []struct {
		name   string
		client *http.Client
	}{{"http1.1", &http.Client{}}, {"h2c", h2cClient()}} {
		t.Run(transport.name, func(t *testing.T) {
			ended := make(chan error, 1)
			b := newSubscribeBackend(func(ctx context.Context, _ *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
				if err := events.Start(); err != nil {
					return err
				}
				<-ctx.Done()
				ended <- ctx.Err()
				return ctx.Err()
			})
			_, url := mustServe(t, b)
			out, err := newSDKClient(url, transport.client).SubscribeToShard(context.Background(), subscribeInput)
			require.NoError(t, err)
			require.NoError(t, out.GetStream().Close())
			select {
			case err := <-ended:
				require.ErrorIs(t, err, context.Canceled)
			case <-time.After(eventWait):
				t.Fatalf("the Backend's context still open %v after the client closed its stream", eventWait)
			}
		})
	}
}

// TestSubscribeToShard_HoldsNoInFlightBudget: a running stream gives back
// what its request was charged against Options.MaxInFlightBytes, so that
// subscriptions lasting minutes do not starve other requests. The budget here
// holds one request's charge at a time.
func TestSubscribeToShard_HoldsNoInFlightBudget(t *testing.T) {
	push := make(chan pushed)
	b := newSubscribeBackend(scripted(push))
	_, url := mustServe(t, b, server.Options{MaxRequestBytes: 1024, MaxInFlightBytes: 1, InFlightWait: 100 * time.Millisecond})
	// One client per subscription: a client of aws-sdk-go-v2 v1.56.13 shares one
	// event-stream codec between its streams, and the race detector catches
	// the next stream's initial response racing the previous stream's reader.
	for i := range 3 {
		out, err := newSDKClient(url, nil).SubscribeToShard(context.Background(), subscribeInput)
		require.NoError(t, err, "subscription %d while %d run", i+1, i)
		defer out.GetStream().Close()
	}
	_, err := newSDKClient(url, nil).ListStreams(context.Background(), &kinesis.ListStreamsInput{})
	require.NoError(t, err, "ListStreams while 3 subscriptions run")
}

// TestSubscribeToShard_ClientStopsReading: a client that stops reading blocks
// the Backend's Event once the connection's buffers are full, and the write
// fails soon after the subscription's lifetime, rather than holding the
// Backend, its buffers and the connection for good.
func TestSubscribeToShard_ClientStopsReading(t *testing.T) {
	failed := make(chan error, 1)
	data := make([]byte, 64<<10)
	b := newSubscribeBackend(func(_ context.Context, _ *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
		for i := 0; ; i++ {
			if err := events.Record([]byte("1"), 0, []byte("k"), data); err != nil {
				failed <- err
				return err
			}
			if err := events.Event(&server.SubscribeToShardEvent{ContinuationSequenceNumber: "1"}); err != nil {
				failed <- err
				return err
			}
		}
	})
	_, url := mustServe(t, b, server.Options{SubscriptionLifetime: 100 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	body := `{"ConsumerARN":"` + consumerARNA + `","ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}}`
	_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"+
		"X-Amz-Target: Kinesis_20131202.SubscribeToShard\r\n"+
		"Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00\r\n"+
		"X-Amz-Date: 20260101T000000Z\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
	require.NoError(t, err)
	select {
	case err := <-failed:
		require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	case <-time.After(eventWait + 5*time.Second):
		t.Fatal("the Backend is still writing to a client that stopped reading")
	}
}
