package streambackend

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/shardlog/shardlog/internal/metrics"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/stream"
)

// SubscribeToShard (KINESIS-API.md §1.10, §2.4) joins the consumer catalog and the shard's
// log: the consumer must be ACTIVE and the starting position must give an iterator, both
// checked before the stream starts, so that their errors are ordinary answers. Then the
// subscription alternates GetRecords, which reads from the log into the next event, and
// WaitForRecords, which wakes it when a record is durable, so nothing is polled and nothing
// is held but the event being written. An idle shard gets an empty event every
// heartbeatInterval; a closed shard's last event carries ChildShards, and no
// ContinuationSequenceNumber, and ends the stream.
// Under a Gate that meters pushes (stream.PushGate: `--limits aws`, 2 MiB/s per consumer
// and shard), each read takes at most what the meter allows, and while it allows nothing
// the subscription waits, with the records in the log: delayed, never dropped.

// heartbeatInterval is the most time between two events of a subscription, as on AWS.
const heartbeatInterval = 5 * time.Second

// takeoverAfter is how long a subscription of a consumer to a shard is the only one: a
// second one within it is refused, a later one takes over (KINESIS-API.md §1.10).
const takeoverAfter = 5 * time.Second

func (b *backend) SubscribeToShard(ctx context.Context, in *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
	c, err := b.store.ActiveConsumer(in.ConsumerARN)
	if err != nil {
		return err
	}
	counts := b.consumerCounts(c) // nil without metrics (subscribe_metrics.go)
	iterator, err := b.store.GetShardIterator(startRequest(c.Stream, in))
	if err != nil {
		counts.Subscribed(err)
		return err
	}
	cont, err := b.store.ContinuationSequenceNumber(iterator)
	if err != nil {
		counts.Subscribed(err)
		return err
	}
	index, _ := kinesis.ParseShardID(in.ShardId) // GetShardIterator has read it
	sub, err := b.subs.begin(c.ARN, kinesis.ShardID(index), b.store.Now())
	if err != nil {
		counts.RateExceeded()
		return err
	}
	defer b.subs.end(sub)
	err = events.Start()
	counts.Subscribed(err)
	if err != nil {
		return err
	}
	defer counts.Open()()
	p := &pusher{store: b.store, events: events, consumer: c, sub: sub, iterator: iterator, counts: counts,
		meter: b.store.PushMeter(c.ARN, c.Stream, kinesis.ShardID(index)), pushWait: b.pushWait}
	p.records.events, p.records.cont = events, cont
	return p.run(ctx)
}

// startRequest is the GetShardIteratorRequest of a subscription's StartingPosition. A
// DryRun subscription is checked as far as that request, which then answers
// DryRunOperationException, before anything starts.
func startRequest(streamName string, in *server.SubscribeToShardInput) *stream.GetShardIteratorRequest {
	req := &stream.GetShardIteratorRequest{StreamName: streamName, ShardID: in.ShardId, Push: true, DryRun: in.DryRun}
	if sp := in.StartingPosition; sp != nil {
		req.Type, req.StartingSequenceNumber = stream.IteratorType(sp.Type), sp.SequenceNumber
		if sp.Timestamp != nil {
			req.Timestamp = *sp.Timestamp
		}
	}
	return req
}

// Why a subscription ends before its context does.
var (
	errConsumerEnded = errors.New("streambackend: consumer deregistered or stream deleted")
	errTakenOver     = errors.New("streambackend: subscription taken over")
)

// pusher is one subscription under way.
type pusher struct {
	store    *stream.Store
	events   server.SubscribeToShardSink
	consumer stream.ActiveConsumer
	sub      *subscription
	iterator string
	records  eventRecords
	behindMs int64             // MillisBehindLatest of the last read
	meter    *stream.PushMeter // nil: pushes are not metered
	pushWait func(ctx context.Context, d time.Duration) error
	counts   *metrics.Consumer // nil without metrics
}

// run sends events until the shard ends, the subscription is ended, or ctx is done.
func (p *pusher) run(ctx context.Context) error {
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-p.consumer.Ended:
			cancel(errConsumerEnded)
		case <-p.sub.takenOver:
			cancel(errTakenOver)
		case <-sctx.Done():
		}
	}()
	lastEvent := time.Now()
	for {
		if err := sctx.Err(); err != nil {
			return p.ended(ctx, sctx)
		}
		maxBytes, heartbeat := p.allowance(sctx, lastEvent)
		if sctx.Err() != nil {
			continue
		}
		if heartbeat { // held back by the meter for heartbeatInterval
			ev := server.SubscribeToShardEvent{ContinuationSequenceNumber: p.records.cont, MillisBehindLatest: p.behindMs}
			if err := p.push(&ev, 0, 0); err != nil {
				return err
			}
			lastEvent = time.Now()
			continue
		}
		res, err := p.store.GetRecords(&stream.GetRecordsRequest{ShardIterator: p.iterator, Push: true, MaxBytes: maxBytes}, &p.records)
		p.meter.Done(res.Bytes)
		if err != nil {
			return p.failed(ctx, sctx, err)
		}
		p.behindMs = res.MillisBehindLatest
		sent, bytes := p.records.sent()
		ev := server.SubscribeToShardEvent{ContinuationSequenceNumber: p.records.cont, MillisBehindLatest: res.MillisBehindLatest}
		if res.NextShardIterator == "" { // the end of a closed shard
			// As on AWS, the last event names the children and no ContinuationSequenceNumber:
			// consumers take its absence for the shard's end (the KCL then checkpoints
			// SHARD_END and starts the children); with one they would subscribe again after
			// it, and get this event again, without end.
			ev.ContinuationSequenceNumber = ""
			ev.ChildShards = childShardsOut(res.ChildShards)
			return p.push(&ev, sent, bytes)
		}
		p.iterator = res.NextShardIterator
		if sent > 0 || time.Since(lastEvent) >= heartbeatInterval {
			if err := p.push(&ev, sent, bytes); err != nil {
				return err
			}
			lastEvent = time.Now()
		}
		if sent > 0 {
			continue // read on until the shard has nothing more
		}
		if err := p.wait(sctx, heartbeatInterval-time.Since(lastEvent)); err != nil {
			return p.failed(ctx, sctx, err)
		}
	}
}

// allowance returns the most bytes the next read may push under the consumer's meter (0:
// no bound), waiting while the meter allows nothing: the records wait in the log, and
// nothing is read into memory. heartbeat is true when an event is due first. It returns
// early when sctx ends.
func (p *pusher) allowance(sctx context.Context, lastEvent time.Time) (maxBytes int, heartbeat bool) {
	for {
		n, wait := p.meter.Allowance()
		switch {
		case n < 0:
			return 0, false
		case n > 0:
			return int(n), false
		}
		due := heartbeatInterval - time.Since(lastEvent)
		if due <= 0 {
			return 0, true
		}
		if p.sleep(sctx, min(wait, due)) != nil {
			return 0, false
		}
	}
}

// sleep waits d, or until sctx ends.
func (p *pusher) sleep(sctx context.Context, d time.Duration) error {
	if p.pushWait != nil {
		return p.pushWait(sctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-sctx.Done():
		return sctx.Err()
	}
}

// push sends ev, which carries records of bytes, and counts it once sent.
func (p *pusher) push(ev *server.SubscribeToShardEvent, records, bytes int) error {
	if err := p.events.Event(ev); err != nil {
		return err
	}
	p.counts.Event(records, bytes, ev.MillisBehindLatest)
	return nil
}

// wait returns when the shard has records after the iterator, or is sealed, or d has
// passed, or sctx ends.
func (p *pusher) wait(sctx context.Context, d time.Duration) error {
	wctx, cancel := context.WithTimeout(sctx, d)
	defer cancel()
	err := p.store.WaitForRecords(wctx, p.iterator)
	if err != nil && wctx.Err() != nil && sctx.Err() == nil {
		return nil // the heartbeat is due
	}
	return err
}

// failed is the error a subscription ends with when a read or a wait returned err. The
// consumer's end is looked at first, not only through sctx: a deleted stream's shards fail
// reads right after its consumers' Ended channels close, before sctx may have heard of it.
func (p *pusher) failed(ctx, sctx context.Context, err error) error {
	select {
	case <-p.consumer.Ended:
		return p.endedBy(ctx, errConsumerEnded)
	default:
	}
	if sctx.Err() != nil {
		return p.ended(ctx, sctx)
	}
	if errors.Is(err, stream.ErrClosed) {
		return nil // the server is stopping: the client resubscribes
	}
	return err
}

// ended is the error a subscription ends with once sctx is done.
func (p *pusher) ended(ctx, sctx context.Context) error {
	return p.endedBy(ctx, context.Cause(sctx))
}

// endedBy is the error a subscription ends with for cause: none when the server ended it
// (lifetime, shutdown, the client gone), ResourceInUseException when another subscription
// took over, and the consumer's own error when it went away.
func (p *pusher) endedBy(ctx context.Context, cause error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(cause, errTakenOver):
		return subscriptionTakenOver(p.consumer.ARN, p.sub.key.shard)
	case errors.Is(cause, errConsumerEnded):
		_, err := p.store.ActiveConsumer(p.consumer.ARN)
		var ke *kinesis.Error
		if errors.As(err, &ke) {
			return ke
		}
		return nil // the store closed: the server is stopping
	}
	return nil
}

// eventRecords passes the records of one GetRecords to the event being built, and keeps
// the last one's sequence number for ContinuationSequenceNumber.
type eventRecords struct {
	events server.SubscribeToShardSink
	n      int    // records since sent() was last called
	bytes  int    // their data and partition keys
	last   []byte // the last record's sequence number
	cont   string // ContinuationSequenceNumber as of the records sent so far
}

func (r *eventRecords) Record(sequenceNumber []byte, arrivalMs int64, partitionKey, data []byte) error {
	if err := r.events.Record(sequenceNumber, arrivalMs, partitionKey, data); err != nil {
		return err
	}
	r.n++
	r.bytes += len(partitionKey) + len(data)
	r.last = append(r.last[:0], sequenceNumber...)
	return nil
}

// SetEncryptionType passes the records' EncryptionType on to the event's sink, when it
// takes one (stream.RecordSink).
func (r *eventRecords) SetEncryptionType(t string) {
	if es, ok := r.events.(interface{ SetEncryptionType(string) }); ok {
		es.SetEncryptionType(t)
	}
}

// sent returns how many records, of how many bytes, went into the event since the last
// call, and moves the continuation past them.
func (r *eventRecords) sent() (records, bytes int) {
	n, size := r.n, r.bytes
	if n > 0 {
		r.cont, r.n, r.bytes = string(r.last), 0, 0
	}
	return n, size
}

func childShardsOut(shards []stream.ShardInfo) []server.ChildShard {
	var out []server.ChildShard
	for i := range shards {
		sh := &shards[i]
		parents := []string{sh.ParentID}
		if sh.AdjacentParentID != "" {
			parents = append(parents, sh.AdjacentParentID)
		}
		out = append(out, server.ChildShard{ShardId: sh.ID, ParentShards: parents, HashKeyRange: hashKeyRange(sh.HashKeyRange)})
	}
	return out
}

// subscriptions are the subscriptions under way of a Store, by consumer and shard.
type subscriptions struct {
	mu sync.Mutex
	m  map[subscriptionKey]*subscription
}

type subscriptionKey struct {
	consumerARN string
	shard       string // canonical shard id
}

type subscription struct {
	key       subscriptionKey
	started   time.Time     // on the store's clock
	takenOver chan struct{} // closed when a later subscription takes over
}

// begin registers a subscription of consumerARN to shard at now: refused with
// ResourceInUseException if another one began less than takeoverAfter before, otherwise
// the other one, if any, is taken over.
func (s *subscriptions) begin(consumerARN, shard string, now time.Time) (*subscription, error) {
	key := subscriptionKey{consumerARN: consumerARN, shard: shard}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.m[key]; old != nil {
		if now.Sub(old.started) < takeoverAfter {
			return nil, subscriptionInUse(consumerARN, shard)
		}
		close(old.takenOver)
	}
	if s.m == nil {
		s.m = map[subscriptionKey]*subscription{}
	}
	sub := &subscription{key: key, started: now, takenOver: make(chan struct{})}
	s.m[key] = sub
	return sub, nil
}

// end removes sub, unless a later subscription has taken its place.
func (s *subscriptions) end(sub *subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[sub.key] == sub {
		delete(s.m, sub.key)
	}
}

func subscriptionInUse(consumerARN, shard string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceInUse, "Another active subscription exists for consumer "+consumerARN+
		" on shard "+shard+"; a new one may take it over 5 seconds after it started.")
}

func subscriptionTakenOver(consumerARN, shard string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceInUse, "The subscription of consumer "+consumerARN+" to shard "+shard+
		" was taken over by a newer subscription.")
}

// SubscribeToShard runs the subscription on the Store of the request's account and region.
func (m *Scoped) SubscribeToShard(ctx context.Context, in *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
	b, err := m.backend(ctx)
	if err != nil {
		return err
	}
	return b.SubscribeToShard(ctx, in, events)
}

var (
	_ server.ShardSubscriber = (*backend)(nil)
	_ server.ShardSubscriber = (*Scoped)(nil)
)
