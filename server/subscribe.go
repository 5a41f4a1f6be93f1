package server

import (
	"context"
	"errors"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/shardlog/shardlog/internal/eventstream"
	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/kinesis"
)

// SubscribeToShard answers with an AWS event stream (KINESIS-API.md §1.10):
// HTTP 200, Content-Type application/vnd.amazon.eventstream, and a body of
// event-stream messages, each flushed as it is written: chunked over
// HTTP/1.1 (the Go SDK v2, boto3), data frames over h2c (the JavaScript SDK
// v3, the Java SDK v2). The first message is the initial-response event,
// then SubscribeToShardEvents, and at most one exception message, which ends
// the stream. Event payloads are JSON for every client, CBOR ones included,
// as kinesis-mock sends them to the Java SDK's CBOR clients (§1.10 leaves
// CBOR payloads unverified).

// ShardSubscriber is implemented by a Backend that carries out SubscribeToShard.
// The server offers the operation only when its Backend implements it; for any
// other Backend SubscribeToShard stays UnknownOperationException, "not
// supported by shardlog".
type ShardSubscriber interface {
	// SubscribeToShard checks the request and the consumer, then streams the
	// shard's records into events until the shard ends, the subscription is
	// taken over or its consumer or stream goes away, or ctx ends. The server
	// has validated the input's shapes; the rules that need state (the
	// consumer, the shard, StartingPosition's SequenceNumber or Timestamp for
	// the types that need one) are the Backend's.
	//
	// An error returned before events.Start is an ordinary error answer. After
	// it, the stream is under way: a *kinesis.Error of one of the stream's
	// exception types (ResourceInUseException, ResourceNotFoundException, the
	// KMS ones, InternalFailureException) ends it with that exception message;
	// any other error with InternalFailureException, and is logged; nil ends
	// it without one. ctx ends when the client goes away, when the
	// subscription has lasted Options.SubscriptionLifetime (5 minutes, as at
	// AWS), or when the server shuts down; the Backend then returns, and the
	// stream ends without an exception.
	//
	// The Backend sends an event at least every 5 s while the shard is idle,
	// as AWS does (empty Records, the same ContinuationSequenceNumber), and
	// ChildShards, without a ContinuationSequenceNumber, in the last event of
	// a closed shard.
	SubscribeToShard(ctx context.Context, in *SubscribeToShardInput, events SubscribeToShardSink) error
}

// SubscribeToShardSink carries the events of one subscription to the client.
// Its methods are not safe for concurrent use.
type SubscribeToShardSink interface {
	// Start accepts the subscription: the server answers 200 and sends the
	// initial-response event at once, which the Go SDK requires first and
	// the JavaScript SDK awaits. Record and Event call Start if the Backend
	// has not. Calling it again does nothing.
	Start() error
	// Record adds one record to the next event. Its slices need to be valid
	// only during the call (they may alias mapped segments): the record is
	// encoded at once.
	RecordSink
	// Event sends an event with the records added since the previous one,
	// and flushes it to the client before it returns. Its error means the
	// client is gone (or the event is larger than an event-stream message may
	// be): the Backend stops and returns.
	Event(ev *SubscribeToShardEvent) error
}

// SubscribeToShardInput is the input of SubscribeToShard.
type SubscribeToShardInput struct {
	ConsumerARN      string            `json:"ConsumerARN"`
	ShardId          string            `json:"ShardId"`
	StartingPosition *StartingPosition `json:"StartingPosition"`
	DryRun           bool              `json:"DryRun,omitempty"`
	StreamId         string            `json:"StreamId,omitempty"`
}

// StartingPosition is where a subscription starts: Type is a ShardIteratorType;
// SequenceNumber goes with AT_ and AFTER_SEQUENCE_NUMBER, Timestamp with
// AT_TIMESTAMP.
type StartingPosition struct {
	Type           string     `json:"Type"`
	SequenceNumber string     `json:"SequenceNumber,omitempty"`
	Timestamp      *time.Time `json:"Timestamp,omitempty"`
}

// SubscribeToShardEvent is the part of an event that is not its Records:
// those went through the sink's Record calls.
type SubscribeToShardEvent struct {
	// ContinuationSequenceNumber is where a new subscription resumes (with
	// AFTER_SEQUENCE_NUMBER): the last record sent, or before any record the
	// position the subscription started at. Never "0", and empty (left out)
	// only in the last event of a closed shard, the one with ChildShards, as
	// on AWS: consumers take its absence for the shard's end.
	ContinuationSequenceNumber string
	MillisBehindLatest         int64
	ChildShards                []ChildShard // only in the last event of a closed shard
}

var (
	shapeStartingPosition = structShape("StartingPosition",
		required("Type", shapeShardIteratorType),
		optional("SequenceNumber", shapeSequenceNumber),
		optional("Timestamp", shapeTimestamp))
	shapeSubscribeToShardInput = structShape("SubscribeToShardInput",
		required("ConsumerARN", shapeConsumerARN),
		required("ShardId", shapeShardID),
		required("StartingPosition", shapeStartingPosition),
		optional("DryRun", shapeBoolean),
		optional("StreamId", shapeStreamID))
)

const contentTypeEventStream = "application/vnd.amazon.eventstream"

// The headers of the messages the server sends, built once.
var (
	headersInitialResponse = []eventstream.Header{
		eventstream.StringHeader(":message-type", "event"),
		eventstream.StringHeader(":event-type", "initial-response"),
		eventstream.StringHeader(":content-type", "application/json"),
	}
	headersSubscribeEvent = []eventstream.Header{
		eventstream.StringHeader(":message-type", "event"),
		eventstream.StringHeader(":event-type", "SubscribeToShardEvent"),
		eventstream.StringHeader(":content-type", "application/json"),
	}
	headerContentTypeEventStream = []string{contentTypeEventStream}
)

// streamExceptions are the exception types of the SubscribeToShard event
// stream union; any other error ends a stream as InternalFailureException.
var streamExceptions = map[string]bool{
	kinesis.TypeResourceInUse: true, kinesis.TypeResourceNotFound: true,
	"KMSDisabledException": true, "KMSInvalidStateException": true, "KMSAccessDeniedException": true,
	"KMSNotFoundException": true, "KMSOptInRequired": true, "KMSThrottlingException": true,
	"InternalFailureException": true,
}

func subscribeOperation(sub ShardSubscriber) *operation {
	return &operation{
		name:  "SubscribeToShard",
		shape: shapeSubscribeToShardInput,
		newIn: func() any { return new(SubscribeToShardInput) },
		run: func(c *call, in any) error {
			return c.subscribe(sub, in.(*SubscribeToShardInput))
		},
	}
}

// subscribe runs one subscription. The Backend's error before Start is
// returned for the usual error answer; after Start it becomes the stream's
// exception message.
func (c *call) subscribe(sub ShardSubscriber, in *SubscribeToShardInput) (err error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.s.opts.SubscriptionLifetime)
	defer cancel()
	stopOnShutdown := context.AfterFunc(c.s.stopping, cancel)
	defer stopOnShutdown()
	deadline, _ := ctx.Deadline()
	es := &eventSink{c: c, rc: http.NewResponseController(c.w), writeDeadline: deadline.Add(subscribeEndGrace)}
	defer func() {
		if es.started {
			es.rc.SetWriteDeadline(time.Time{}) // the connection may serve more requests
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			if !es.started || p == http.ErrAbortHandler {
				panic(p)
			}
			c.s.log.Error("operation panicked", "op", c.op.name, "request", c.requestID, "panic", p,
				"stack", string(debug.Stack()))
			err = es.end(streamInternalFailure)
		}
	}()
	err = sub.SubscribeToShard(ctx, in, es)
	if !es.started {
		return err
	}
	return es.end(c.streamError(ctx, err))
}

// subscribeEndGrace is how long writes may still take once a subscription's
// lifetime has ended: enough to send the end of the stream to a client that
// reads. A write blocked on a client that stopped reading fails then, so that
// it holds the connection and its buffers no longer than the subscription
// would have lasted. (The deadline is set once, at Start, from the handler's
// goroutine: a ResponseController is not safe for concurrent use.)
const subscribeEndGrace = 2 * time.Second

// streamError turns the error a Backend ended a stream with into the
// exception message to send, or nil for none.
func (c *call) streamError(ctx context.Context, err error) *kinesis.Error {
	if err == nil || (ctx.Err() != nil && errors.Is(err, ctx.Err())) {
		return nil
	}
	e, ok := asKinesisError(err)
	if ok && streamExceptions[e.Type] {
		return e
	}
	c.s.errLog.Error("subscription failed", "op", c.op.name, "request", c.requestID, "err", err)
	return streamInternalFailure
}

// streamInternalFailure is InternalFailure as the event stream names it.
var streamInternalFailure = &kinesis.Error{Type: "InternalFailureException", Message: internalFailure.Message}

// eventSink is the server's SubscribeToShardSink. payload holds the JSON of
// the event being built (records are encoded into it as they come); frame
// the message that carries it. Both are reused from event to event, so a
// subscription holds about two of its largest events.
type eventSink struct {
	c             *call
	rc            *http.ResponseController
	writeDeadline time.Time
	started       bool
	records       *wire.JSONRecords // nil between events
	frame         []byte
	failed        error  // sticky: the client is gone
	encryption    string // the records' EncryptionType (SetEncryptionType)
}

// Start sends the answer's status and headers and the initial-response event.
func (es *eventSink) Start() error {
	if es.started {
		return es.failed
	}
	c := es.c
	es.started, c.streamed = true, true
	c.uncharge() // the body is decoded; a long stream holds none of the in-flight budget
	es.rc.SetWriteDeadline(es.writeDeadline)
	h := c.w.Header()
	h["Content-Type"] = headerContentTypeEventStream
	c.status = http.StatusOK
	c.w.WriteHeader(http.StatusOK)
	return es.send(headersInitialResponse, []byte("{}"))
}

// SetEncryptionType makes the records of the events from now on carry
// EncryptionType t (RecordSink).
func (es *eventSink) SetEncryptionType(t string) {
	es.encryption = t
	if es.records != nil {
		es.records.SetEncryptionType(t)
	}
}

// Record adds one record to the event being built.
func (es *eventSink) Record(sequenceNumber []byte, arrivalMs int64, partitionKey []byte, data []byte) error {
	if err := es.Start(); err != nil {
		return err
	}
	if es.records == nil {
		es.records = wire.NewJSONRecords(es.c.out[:0], nil)
		es.records.SetEncryptionType(es.encryption)
	}
	return es.records.Record(sequenceNumber, arrivalMs, partitionKey, data)
}

// Event closes the event being built and sends it.
func (es *eventSink) Event(ev *SubscribeToShardEvent) error {
	if err := es.Start(); err != nil {
		return err
	}
	if es.records == nil {
		es.records = wire.NewJSONRecords(es.c.out[:0], nil)
		es.records.SetEncryptionType(es.encryption)
	}
	end := wire.RecordsEnd{ContinuationSequenceNumber: ev.ContinuationSequenceNumber, MillisBehindLatest: ev.MillisBehindLatest}
	if len(ev.ChildShards) > 0 {
		end.ChildShards = ev.ChildShards
	}
	b := es.records.Finish(end)
	es.c.out, es.records = b[:0], nil
	return es.send(headersSubscribeEvent, b)
}

// maxEventPayloadBytes leaves room for the headers of an event in an
// event-stream message.
const maxEventPayloadBytes = eventstream.MaxMessageBytes - 1024

// send frames one message, writes it and flushes it.
func (es *eventSink) send(headers []eventstream.Header, payload []byte) error {
	if es.failed != nil {
		return es.failed
	}
	if len(payload) > maxEventPayloadBytes {
		return errors.New("server: event of " + strconv.Itoa(len(payload)) + " bytes is larger than an event-stream message may be")
	}
	es.frame = eventstream.AppendMessage(es.frame[:0], headers, payload)
	_, err := es.c.w.Write(es.frame)
	if err == nil {
		err = es.rc.Flush()
	}
	es.failed = err
	return err
}

// end sends the exception message that ends the stream, if there is one.
func (es *eventSink) end(e *kinesis.Error) error {
	es.c.out = es.c.out[:0]
	if e == nil || es.failed != nil {
		return nil
	}
	es.c.errType = e.Type
	headers := []eventstream.Header{
		eventstream.StringHeader(":message-type", "exception"),
		eventstream.StringHeader(":exception-type", e.Type),
		eventstream.StringHeader(":content-type", "application/json"),
	}
	payload := wire.AppendString(append([]byte(nil), `{"message":`...), e.Message)
	es.send(headers, append(payload, '}'))
	return nil
}
