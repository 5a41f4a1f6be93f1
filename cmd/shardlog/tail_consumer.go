package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardlog/shardlog/internal/sdkhttp"
)

// `shardlog tail --consumer NAME` reads with enhanced fan-out: the records of each followed
// shard are pushed by SubscribeToShard rather than polled with GetRecords. Everything else
// is the polling tail's: the shards followed, their order through resharding (a shard
// starts once its followed parents are finished), the output, the reconnection.
//
// A subscription lasts 5 minutes at most, and may end earlier: another subscriber of the
// consumer takes the shard over, the server restarts. Each event carries the
// ContinuationSequenceNumber to resume after, so the next subscription starts there and
// nothing is printed twice or skipped.

// consumerWait bounds how long tail waits for its consumer to become ACTIVE (or, when a
// consumer of that name is being deleted, to be gone so that it can be registered again).
const consumerWait = 2 * time.Minute

// defaultSubscriptionSilence is how long a subscription may go without an event before tail
// takes its connection for lost: the server sends one at least every 5 s.
const defaultSubscriptionSilence = 30 * time.Second

// useConsumer finds the consumer named --consumer on the stream, registering it if there is
// none, and waits until it is ACTIVE. It sets t.consumerARN.
func (t *tailer) useConsumer(ctx context.Context) error {
	sum, err := t.kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(t.cfg.stream)})
	if err != nil {
		return fmt.Errorf("describe stream %s: %w", t.cfg.stream, err)
	}
	streamARN := sum.StreamDescriptionSummary.StreamARN
	ctx, cancel := context.WithTimeout(ctx, consumerWait)
	defer cancel()
	wait := t.firstBackoff()
	for {
		d, err := t.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: streamARN,
			ConsumerName: aws.String(t.cfg.consumer)})
		switch {
		case errorCode(err) == "ResourceNotFoundException":
			if err := t.registerConsumer(ctx, streamARN); err != nil {
				return err
			}
			continue
		case err != nil:
			return t.consumerFailed(ctx, "describe", err)
		case d.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive:
			t.consumerARN = aws.ToString(d.ConsumerDescription.ConsumerARN)
			return nil
		}
		if err := pause(ctx, wait); err != nil {
			return t.consumerFailed(ctx, "wait for", fmt.Errorf("still %s", d.ConsumerDescription.ConsumerStatus))
		}
		wait = min(2*wait, t.longestBackoff())
	}
}

// registerConsumer registers --consumer. A name in use (registered meanwhile by another, or
// still being deleted) is not an error: the caller looks at the consumer again.
func (t *tailer) registerConsumer(ctx context.Context, streamARN *string) error {
	reg, err := t.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: streamARN,
		ConsumerName: aws.String(t.cfg.consumer)})
	switch {
	case errorCode(err) == "ResourceInUseException":
		return pause(ctx, t.firstBackoff())
	case err != nil:
		return t.consumerFailed(ctx, "register", err)
	}
	fmt.Fprintf(t.stderr, "shardlog tail: registered consumer %s\n", aws.ToString(reg.Consumer.ConsumerARN))
	return nil
}

// consumerFailed is the error of a step of useConsumer; a wait cut short by consumerWait
// says so.
func (t *tailer) consumerFailed(ctx context.Context, step string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("consumer %s of stream %s is not ACTIVE after %v: %w", t.cfg.consumer, t.cfg.stream, consumerWait, err)
	}
	return fmt.Errorf("%s consumer %s of stream %s: %w", step, t.cfg.consumer, t.cfg.stream, err)
}

// deregisterConsumer deregisters the consumer (--deregister). It runs as tail ends, also
// after Ctrl-C, so it has a context of its own.
func (t *tailer) deregisterConsumer(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := t.kc.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(t.consumerARN)})
	if err != nil && errorCode(err) != "ResourceNotFoundException" {
		// %v, not %w: friendly, applied to tail's error, would replace the whole message,
		// and with it the word that the consumer is still registered, by its own.
		return fmt.Errorf("deregister consumer %s: %v", t.consumerARN, friendly(err, t.cfg.client.endpoint))
	}
	fmt.Fprintf(t.stderr, "shardlog tail: deregistered consumer %s\n", t.consumerARN)
	return nil
}

// subscribeShard follows one shard with subscriptions, one after the other, until the shard
// is finished (its ChildShards came; with --follow=false, it is read to its tip; --count is
// reached) or ctx is done.
func (t *tailer) subscribeShard(ctx context.Context, sh *tailShard) error {
	var cont string // the ContinuationSequenceNumber of the last event: where to resume
	wait := t.firstBackoff()
	for first := true; ctx.Err() == nil; first = false {
		asked := time.Now()
		res, err := t.subscribeOnce(ctx, sh, t.subscribePosition(sh, cont), &cont)
		if first {
			pinLatest(sh, asked)
		}
		if res.events > 0 {
			wait = t.firstBackoff()
		}
		switch {
		case res.finished || ctx.Err() != nil:
			return nil
		case res.silent:
			t.gone(errors.New("no event from the subscription in " + t.silence().String()))
		case err == nil && res.events > 0:
			continue // the subscription's lifetime ended: the next one goes on from cont
		case err == nil:
			// Ended before its first event (a lifetime shorter than the heartbeat, a server
			// shutting down): subscribe again, after a pause so as not to spin.
		case isUnavailable(err):
			t.gone(err)
		case errorCode(err) == "ResourceInUseException":
			if gone := t.consumerGone(ctx); gone != nil || ctx.Err() != nil {
				return gone
			}
			fmt.Fprintf(t.stderr, "shardlog tail: %s: %s; subscribing again in %v\n", sh.id, errorMessage(err), wait)
		case errorCode(err) == "InternalFailureException": // transient, as the KCL takes it
			fmt.Fprintf(t.stderr, "shardlog tail: %s: %s; subscribing again in %v\n", sh.id, errorMessage(err), wait)
		default:
			return err
		}
		if err := pause(ctx, wait); err != nil {
			return nil
		}
		wait = min(2*wait, t.longestBackoff())
	}
	return nil
}

// consumerGone returns, when the consumer is no longer ACTIVE (being deregistered, or gone:
// it was ACTIVE when tail began), the error that ends the tail. A consumer that is ACTIVE,
// or that cannot be looked at now, gives nil: its subscription is tried again.
func (t *tailer) consumerGone(ctx context.Context) error {
	d, err := t.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(t.consumerARN)})
	switch {
	case errorCode(err) == "ResourceNotFoundException":
		return fmt.Errorf("consumer %s is gone: %w", t.consumerARN, err)
	case err != nil:
		return nil
	case d.ConsumerDescription.ConsumerStatus != types.ConsumerStatusActive:
		return fmt.Errorf("consumer %s is %s: it is being deregistered", t.consumerARN, d.ConsumerDescription.ConsumerStatus)
	}
	return nil
}

// subscribePosition is where a subscription of sh starts: after the last event's
// continuation, or where the shard started if no event came yet.
func (t *tailer) subscribePosition(sh *tailShard, cont string) position {
	if cont == "" {
		return sh.start
	}
	return position{typ: types.ShardIteratorTypeAfterSequenceNumber, seq: cont}
}

// subscription is how one subscription went.
type subscription struct {
	events   int  // SubscribeToShardEvents received
	finished bool // the shard needs no more subscriptions
	silent   bool // ended by tail after no event came for the silence timeout
}

// subscribeOnce runs one subscription of sh from pos, printing the records of its events and
// keeping *cont at the last event's continuation. Its error is the one the subscription
// failed or ended with.
func (t *tailer) subscribeOnce(ctx context.Context, sh *tailShard, pos position, cont *string) (subscription, error) {
	var res subscription
	kc, done := t.subscriber()
	defer done()
	out, err := kc.SubscribeToShard(ctx, subscribeInput(t.consumerARN, sh.id, pos))
	if err != nil {
		return res, fmt.Errorf("SubscribeToShard %s: %w", pos.typ, err)
	}
	events := out.GetStream()
	defer events.Close()
	var silent atomic.Bool
	watchdog := time.AfterFunc(t.silence(), func() { silent.Store(true); events.Close() })
	defer watchdog.Stop()
	for ev := range events.Events() {
		e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if !ok {
			continue // a kind of event tail does not know
		}
		watchdog.Reset(t.silence())
		res.events++
		t.back()
		if res.finished = t.handleEvent(sh, &e.Value, cont); res.finished {
			return res, nil
		}
	}
	res.silent = silent.Load()
	if err := events.Err(); err != nil && !res.silent {
		return res, fmt.Errorf("subscription: %w", err)
	}
	return res, nil
}

// handleEvent prints an event's records and learns its child shards; it reports whether the
// shard is finished.
func (t *tailer) handleEvent(sh *tailShard, ev *types.SubscribeToShardEvent, cont *string) (finished bool) {
	if len(ev.Records) > 0 && t.print(sh.id, ev.Records) {
		return true // --count reached
	}
	if c := aws.ToString(ev.ContinuationSequenceNumber); c != "" {
		*cont = c
	}
	if len(ev.ChildShards) > 0 { // the end of a closed shard
		t.mu.Lock()
		for _, c := range ev.ChildShards {
			t.learn(aws.ToString(c.ShardId), c.ParentShards, true)
		}
		t.mu.Unlock()
		return true
	}
	return !t.cfg.follow && aws.ToInt64(ev.MillisBehindLatest) == 0
}

func subscribeInput(consumerARN, shardID string, pos position) *kinesis.SubscribeToShardInput {
	sp := &types.StartingPosition{Type: pos.typ}
	switch pos.typ {
	case types.ShardIteratorTypeAtSequenceNumber, types.ShardIteratorTypeAfterSequenceNumber:
		sp.SequenceNumber = aws.String(pos.seq)
	case types.ShardIteratorTypeAtTimestamp:
		sp.Timestamp = aws.Time(pos.time)
	}
	return &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(consumerARN), ShardId: aws.String(shardID), StartingPosition: sp}
}

// subscriber returns a client for one subscription, and the function that releases its
// connections. Each subscription has a client and connections of its own: the SDK's
// event-stream reader is not safe to share between concurrent subscriptions.
func (t *tailer) subscriber() (*kinesis.Client, func()) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	opts := t.kc.Options()
	opts.HTTPClient = sdkhttp.New(&http.Client{Transport: transport})
	return kinesis.New(opts), transport.CloseIdleConnections
}

func (t *tailer) firstBackoff() time.Duration {
	if t.cfg.backoff > 0 {
		return t.cfg.backoff
	}
	return defaultTailBackoff
}

func (t *tailer) longestBackoff() time.Duration {
	if t.cfg.maxBackoff > 0 {
		return t.cfg.maxBackoff
	}
	return maxTailBackoff
}

func (t *tailer) silence() time.Duration {
	if t.cfg.silence > 0 {
		return t.cfg.silence
	}
	return defaultSubscriptionSilence
}

// apiError is the part of the SDK's errors of the service (smithy-go's APIError) that tail
// looks at.
type apiError interface {
	ErrorCode() string
	ErrorMessage() string
}

// errorCode is the Kinesis error type of err ("ResourceInUseException"), or "".
func errorCode(err error) string {
	var api apiError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func errorMessage(err error) string {
	var api apiError
	if errors.As(err, &api) {
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	return err.Error()
}
