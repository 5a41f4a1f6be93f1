package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/shardlog/shardlog/internal/eventstream"
)

// subscriber is one consumer's subscription to one shard: it reads the event stream of
// SubscribeToShard itself (internal/eventstream and the JSON scanner of the read-back), and
// when the server ends the stream (after 5 minutes, as AWS does) it subscribes again after
// the last event's ContinuationSequenceNumber.
type subscriber struct {
	f   *fanOut
	con *consumer
	job shardJob

	seq      []byte   // the sequence number pushed last on this shard
	last     []int64  // by writer: the record count pushed last on this shard, -1 if none
	seen     []bitset // by writer: the records pushed on this shard
	local    verifyCounts
	fresh    int64      // records of the event being checked pushed for the first time
	hist     *Histogram // from the answer of a record's call to its arrival
	fromSend *Histogram // from the start of a record's call to its arrival
	early    int64      // records that arrived before their writer had read the call's answer
	events   int64
	lastAt   time.Time // when the last record arrived
	arrived  time.Duration
	cont     []byte       // ContinuationSequenceNumber of the last event
	acks     []cachedAck  // by writer: the answer time of the call looked up last
	pending  []pendingAck // records that arrived before their call's answer was noted
	req      []byte
}

type cachedAck struct {
	call uint64
	at   callTimes // at.answered is 0 if not cached
}

type pendingAck struct {
	w       int
	call    uint64
	arrived time.Duration
}

func newSubscriber(f *fanOut, ci int, job shardJob) *subscriber {
	n := len(f.writers)
	s := &subscriber{f: f, con: f.consumers[ci], job: job, last: make([]int64, n), seen: make([]bitset, n),
		hist: new(Histogram), fromSend: new(Histogram), acks: make([]cachedAck, n)}
	for i := range s.last {
		s.last[i] = -1
	}
	return s
}

// run subscribes until ctx ends or the subscription fails. It sends one value on started:
// nil once the first initial-response came, or the error that came instead.
func (s *subscriber) run(ctx context.Context, started chan<- error) error {
	for first := true; ; first = false {
		body, events, err := s.open(ctx)
		if first {
			started <- err
		}
		if err != nil {
			return err
		}
		ended, err := s.read(events)
		body.Close()
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			return fmt.Errorf("bench: subscription of %s to %s: %w", s.con.name, s.job.id, err)
		case ended:
			return nil // the shard was closed and read to its end
		}
	}
}

// open sends SubscribeToShard and returns the answer's body and the reader of its events,
// once the initial-response came.
func (s *subscriber) open(ctx context.Context) (io.ReadCloser, *eventstream.Reader, error) {
	s.req = append(s.req[:0], `{"ConsumerARN":`...)
	s.req = strconv.AppendQuote(s.req, s.con.arn)
	s.req = append(s.req, `,"ShardId":`...)
	s.req = strconv.AppendQuote(s.req, s.job.id)
	if len(s.cont) > 0 {
		s.req = append(s.req, `,"StartingPosition":{"Type":"AFTER_SEQUENCE_NUMBER","SequenceNumber":"`...)
		s.req = append(s.req, s.cont...)
		s.req = append(s.req, `"}}`...)
	} else {
		s.req = append(s.req, `,"StartingPosition":{"Type":"TRIM_HORIZON"}}`...)
	}
	resp, err := s.f.c.open(ctx, "SubscribeToShard", s.req)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: subscribe %s to %s: %w", s.con.name, s.job.id, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		answer, _ := readBody(resp.Body, resp.ContentLength, nil)
		return nil, nil, fmt.Errorf("bench: subscribe %s to %s: %w", s.con.name, s.job.id, parseError("SubscribeToShard", resp.StatusCode, answer))
	}
	events := eventstream.NewReader(resp.Body, 0)
	m, err := events.Next()
	if err == nil && eventType(&m) != "initial-response" {
		err = fmt.Errorf("first message is %q, not initial-response", eventType(&m))
	}
	if err != nil {
		resp.Body.Close()
		return nil, nil, fmt.Errorf("bench: subscribe %s to %s: %w", s.con.name, s.job.id, err)
	}
	return resp.Body, events, nil
}

// eventType is a message's :event-type, or "exception <type>" for an exception message.
func eventType(m *eventstream.Message) string {
	if h, _ := m.Header(":message-type"); h.String() == "exception" {
		e, _ := m.Header(":exception-type")
		return "exception " + e.String()
	}
	h, _ := m.Header(":event-type")
	return h.String()
}

// errException is an exception message that ended a subscription.
var errException = errors.New("exception")

// read checks the events of a stream until it ends: ended is true at a closed shard's end.
func (s *subscriber) read(r *eventstream.Reader) (ended bool, err error) {
	for {
		m, err := r.Next()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		s.arrived = time.Since(s.f.base)
		typ := eventType(&m)
		if typ != "SubscribeToShardEvent" {
			return false, fmt.Errorf("%w: %s: %.200s", errException, typ, m.Payload)
		}
		s.fresh = 0
		ev, err := parseSubscribeEvent(m.Payload, s.check)
		if err != nil {
			return false, err
		}
		s.events++
		s.cont = append(s.cont[:0], ev.cont...)
		if ev.records > 0 {
			s.lastAt = s.f.base.Add(s.arrived)
			s.con.fresh.Add(s.fresh)
			select {
			case s.f.pushed <- struct{}{}:
			default:
			}
		}
		if ev.childShards > 0 {
			return true, nil
		}
	}
}

// check verifies one record pushed on the shard as the read-back does, and notes its
// delivery latency. Whether it was acknowledged is known only once the writers are done
// (fanOut.consumerResult).
func (s *subscriber) check(seq, key, data []byte) {
	c := &s.local
	c.records++
	c.bytes += int64(base64Len(data))
	if len(s.seq) > 0 && compareDecimal(seq, s.seq) <= 0 {
		c.reordered++
		s.f.problem("%s %s: sequence number %s after %s", s.con.name, s.job.id, seq, s.seq)
	}
	s.seq = append(s.seq[:0], seq...)
	id, ok := readHeader(data)
	w, n := splitID(id)
	if !ok || w >= len(s.f.writers) || s.f.writers[w].stream != s.job.streamIdx {
		c.unknown++
		s.f.problem("%s %s: record %s was not written by this run", s.con.name, s.job.id, seq)
		return
	}
	if s.seen[w].has(n) {
		c.duplicated++
		s.f.problem("%s %s: record %d of writer %d pushed again at %s", s.con.name, s.job.id, n, w, seq)
		return
	}
	s.seen[w].set(n)
	s.fresh++
	if last := s.last[w]; last >= 0 && n <= uint64(last) {
		c.reordered++
		s.f.problem("%s %s: record %d of writer %d pushed after its record %d", s.con.name, s.job.id, n, w, last)
	}
	s.last[w] = int64(n)
	wr := s.f.writers[w]
	t, j := wr.ts.slot(n)
	if t.shard[j] != s.job.shardIdx {
		c.wrongShard++
		s.f.problem("%s %s: record %d of writer %d (key %s) belongs to another shard", s.con.name, s.job.id, n, w, key)
	}
	if recordSum(key, data[headerChars:]) != t.sums[j] {
		c.changed++
		s.f.problem("%s %s: record %d of writer %d at %s has other data or key than written", s.con.name, s.job.id, n, w, seq)
	}
	s.latency(w, n/uint64(wr.ts.batch))
}

// latency notes the delivery latency of a record of call k of writer w, or leaves it for
// resolvePending if the writer has not noted the call's answer yet.
func (s *subscriber) latency(w int, k uint64) {
	a := &s.acks[w]
	if a.at.answered == 0 || a.call != k {
		a.call, a.at = k, s.f.writers[w].acks.get(k)
	}
	if a.at.answered == 0 {
		s.pending = append(s.pending, pendingAck{w: w, call: k, arrived: s.arrived})
		return
	}
	s.record(s.arrived, a.at)
}

// record notes the latencies of a record that arrived at arrived (since fanOut.base).
func (s *subscriber) record(arrived time.Duration, call callTimes) {
	if arrived < call.answered {
		s.early++
	}
	s.hist.Record(max(0, arrived-call.answered))
	s.fromSend.Record(max(0, arrived-call.sent))
}

// resolvePending notes the latencies left pending, once the writers are done. A record
// whose call got no answer has none.
func (s *subscriber) resolvePending() {
	for _, p := range s.pending {
		if at := s.f.writers[p.w].acks.get(p.call); at.answered != 0 {
			s.record(p.arrived, at)
		}
	}
	s.pending = nil
}
