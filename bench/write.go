package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// maxConsecutiveErrors ends a run whose calls keep failing on one connection.
const maxConsecutiveErrors = 20

// counters are the running totals of a phase, read by the progress reporter.
type counters struct {
	records, bytes, calls, errors, failed atomic.Int64
}

// writePhase is the shared state of the write phase.
type writePhase struct {
	counters
	stop      atomic.Bool  // set when Duration is over
	callsLeft atomic.Int64 // calls still to send when Records is set; unused otherwise
	limited   bool
	pace      *pacer // with Config.Rate; else nil
}

// claim reserves the next call, waiting for its turn when the phase is paced; it returns
// false once the phase is over.
func (p *writePhase) claim(ctx context.Context) bool {
	if p.stop.Load() || (p.limited && p.callsLeft.Add(-1) < 0) {
		return false
	}
	p.pace.wait(ctx, &p.stop)
	return !p.stop.Load() && ctx.Err() == nil
}

// writer is one connection of the write phase: one call in flight at a time.
type writer struct {
	id     int
	stream int // the stream's place in the run's list
	op     string
	ts     *templateSet
	track  writeTrack
	hist   *Histogram
	buf    []byte
	failed []bool  // per record of the last PutRecords answer
	acks   *ackLog // when each call was answered, with Config.Consumers; else nil
	calls  uint64  // calls sent: the next call's number
	inRow  int     // calls failed in a row
}

func newWriter(id, stream int, op Op, ts *templateSet) *writer {
	return &writer{id: id, stream: stream, op: string(op), ts: ts, hist: new(Histogram), failed: make([]bool, ts.batch)}
}

// call sends the writer's next call and notes its answer. It returns an error once the
// writer's calls have failed maxConsecutiveErrors times in a row; a failure before that
// waits a little and returns nil.
func (w *writer) call(ctx context.Context, c *client, p *writePhase) error {
	k := w.calls
	w.calls++
	t, first := w.ts.forCall(k)
	t.setIDs(w.id, first)
	w.track.sent = first + uint64(w.ts.batch)
	start := time.Now()
	status, answer, err := c.call(ctx, w.op, t.body, w.buf)
	elapsed := time.Since(start)
	w.buf = answer
	p.calls.Add(1)
	if err == nil && status == http.StatusOK {
		err = w.acknowledge(t, first, answer, p)
		if err == nil && w.acks != nil {
			w.acks.set(k, start, start.Add(elapsed))
		}
		if err == nil {
			w.hist.Record(elapsed)
			w.inRow = 0
			return nil
		}
	}
	if ctx.Err() != nil {
		w.track.doubt.setRange(first, uint64(w.ts.batch))
		return nil
	}
	lastErr := w.failure(first, status, answer, err)
	p.errors.Add(1)
	if w.inRow++; w.inRow >= maxConsecutiveErrors {
		return fmt.Errorf("%w (%d on writer %d), the last: %w", ErrTooManyErrors, w.inRow, w.id, lastErr)
	}
	sleep(ctx, time.Duration(w.inRow)*10*time.Millisecond)
	return nil
}

// acknowledge records what a 200 answer says of the call's records.
func (w *writer) acknowledge(t *template, first uint64, answer []byte, p *writePhase) error {
	n := uint64(w.ts.batch)
	if w.op == string(OpPutRecord) {
		w.track.acked.set(first)
		p.records.Add(1)
		p.bytes.Add(t.dataBytes)
		return nil
	}
	failed, err := parsePutRecords(answer, w.failed)
	if err != nil {
		return err
	}
	if failed == 0 {
		w.track.acked.setRange(first, n)
		p.records.Add(int64(n))
		p.bytes.Add(t.dataBytes)
		return nil
	}
	per := t.dataBytes / int64(n)
	for j, bad := range w.failed {
		if !bad {
			w.track.acked.set(first + uint64(j))
			p.records.Add(1)
			p.bytes.Add(per)
		}
	}
	p.failed.Add(int64(failed))
	return nil
}

// failure notes a call that failed and returns its error. A call with no answer, a server
// error (5xx) or an answer that does not parse leaves its records in doubt; a client error
// (4xx) means they were refused.
func (w *writer) failure(first uint64, status int, answer []byte, err error) error {
	switch {
	case err != nil:
		w.track.doubt.setRange(first, uint64(w.ts.batch))
		return err
	case status >= 500:
		w.track.doubt.setRange(first, uint64(w.ts.batch))
	}
	return parseError(w.op, status, answer)
}

// writeAll runs the write phase, the connections taking turns over the writers, and returns
// its result.
func writeAll(ctx context.Context, cfg Config, c *client, writers []*writer) (PhaseResult, error) {
	p := &writePhase{limited: cfg.Records > 0, pace: newPacer(cfg)}
	if p.limited {
		batch := int64(cfg.BatchRecords)
		p.callsLeft.Store((cfg.Records + batch - 1) / batch)
	}
	meter, err := startPhase(cfg, PhaseWrite, &p.counters)
	if err != nil {
		return PhaseResult{}, err
	}
	if cfg.Duration > 0 {
		timer := time.AfterFunc(cfg.Duration, func() { p.stop.Store(true) })
		defer timer.Stop()
	}
	errs := make([]error, cfg.Connections)
	var wg sync.WaitGroup
	for i := range cfg.Connections {
		wg.Go(func() { errs[i] = p.connection(ctx, c, shareOf(writers, i, cfg.Connections)) })
	}
	wg.Wait()
	hists := make([]*Histogram, len(writers))
	for i, w := range writers {
		hists[i] = w.hist
	}
	res := meter.finish(hists)
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	return res, ctx.Err()
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(min(d, time.Second))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
