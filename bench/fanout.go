package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// Enhanced fan-out (Config.Consumers): before the write phase the run registers consumers on
// each stream, and each consumer subscribes to every shard with SubscribeToShard from
// TRIM_HORIZON. While the writers write, every subscription checks each record it is pushed
// as the read-back does (order, duplicates, content, shard) and notes how long after its
// PutRecords call was answered it arrived. When the writers are done, the run waits until
// every consumer has been pushed as many records as were acknowledged (or
// Config.DrainTimeout),
// ends the subscriptions and adds up, per consumer, what was lost.

// MaxConsumers bounds Config.Consumers: AWS's 20 registered consumers per stream.
const MaxConsumers = 20

// FanOutResult is what the consumers of a run were pushed.
type FanOutResult struct {
	Consumers     int `json:"consumers"`     // per stream
	Subscriptions int `json:"subscriptions"` // consumers × shards, all streams

	Records       int64   `json:"records"` // pushed, all consumers
	Seconds       float64 `json:"seconds"` // from the first write to the last record pushed
	RecordsPerSec float64 `json:"recordsPerSec"`
	// Latency is from the answer to a record's PutRecords call to the record's arrival at a
	// consumer, over every record pushed to every consumer. A record pushed before its
	// writer had read the answer counts as 0.
	Latency Latency `json:"latency"`
	// BeforeAnswer is how many records reached a consumer before their writer had read
	// their PutRecords answer.
	BeforeAnswer int64 `json:"beforeAnswer"`
	// FromSend is from the start of a record's PutRecords call to the record's arrival at
	// a consumer: the write and the push together, to compare with the write's call latency.
	FromSend Latency `json:"fromSend"`

	// Server is what the server process used, from Config.ServerPID and the endpoint's
	// /metrics; nil when neither could be read.
	Server *FanOutServer `json:"server,omitempty"`

	PerConsumer []ConsumerResult `json:"perConsumer"`
}

// FanOutServer is the server's cost of the fan-out (serverProbe says where each figure is
// read from).
type FanOutServer struct {
	CPUFrom    string `json:"cpuFrom"`    // "proc" (Config.ServerPID), "metrics" (/metrics) or "": not read
	MemoryFrom string `json:"memoryFrom"` // "metrics" (Go heap and stacks in use), "proc" (RssAnon) or ""
	// CPUSeconds is the server's CPU time from the start of the write phase until the last
	// consumer was pushed its last record: the writes and the pushes together.
	CPUSeconds float64 `json:"cpuSeconds"`
	// CPUMicrosPerRecord is CPUSeconds per record pushed (all consumers), in µs.
	CPUMicrosPerRecord float64 `json:"cpuMicrosPerRecord"`
	// IdleBytesPerSubscription is the growth of the server's memory from before the
	// subscriptions to when all were open, per subscription.
	IdleBytesPerSubscription int64 `json:"idleBytesPerSubscription"`
	// PeakBytesPerSubscription is the growth of the server's memory from before the
	// subscriptions to its peak while records were written and pushed, per subscription
	// (this also counts what the writes use: compare with a run without consumers).
	PeakBytesPerSubscription int64 `json:"peakBytesPerSubscription"`
	MemoryBeforeBytes        int64 `json:"memoryBeforeBytes"`
	MemoryPeakBytes          int64 `json:"memoryPeakBytes"`
}

// ConsumerResult is what one consumer was pushed, over every shard of its stream.
type ConsumerResult struct {
	Name          string        `json:"name"`
	ARN           string        `json:"arn"`
	Records       int64         `json:"records"`
	Events        int64         `json:"events"`
	Seconds       float64       `json:"seconds"` // from the first write to its last record
	RecordsPerSec float64       `json:"recordsPerSec"`
	Latency       Latency       `json:"latency"`
	BeforeAnswer  int64         `json:"beforeAnswer"` // as in FanOutResult
	FromSend      Latency       `json:"fromSend"`     // as in FanOutResult
	Verify        *Verification `json:"verify"`
}

// ackLog is when a writer's calls were answered, by call number, for the delivery latency:
// the writer adds, subscriptions of every shard look up.
type ackLog struct {
	base time.Time // the fan-out's: times are kept as durations since it
	mu   sync.Mutex
	at   []callTimes
}

// callTimes are when a call was sent and answered, since the fan-out's base; answered is 0
// while it is unanswered, or if it failed.
type callTimes struct{ sent, answered time.Duration }

func (l *ackLog) set(k uint64, sent, answered time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for uint64(len(l.at)) <= k {
		l.at = append(l.at, callTimes{})
	}
	l.at[k] = callTimes{sent: sent.Sub(l.base), answered: max(1, answered.Sub(l.base))}
}

func (l *ackLog) get(k uint64) callTimes {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k < uint64(len(l.at)) {
		return l.at[k]
	}
	return callTimes{}
}

// consumer is one registered consumer of one stream and its subscriptions.
type consumer struct {
	name, arn string
	stream    int
	fresh     atomic.Int64 // records pushed for the first time, all shards
	subs      []*subscriber
}

// fanOut is the fan-out of a run under way.
type fanOut struct {
	cfg        Config
	c          *client // the subscriptions' connections
	writers    []*writer
	consumers  []*consumer
	base       time.Time // before any write: the origin of delivery latencies
	writeStart time.Time
	pushed     chan struct{} // a token after each event with records
	cancel     context.CancelFunc
	wg         sync.WaitGroup
	errs       chan error
	watch      *serverWatch // nil when the server cannot be read

	mu       sync.Mutex
	problems []string
}

func (f *fanOut) problem(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.problems) < maxProblems {
		f.problems = append(f.problems, fmt.Sprintf(format, args...))
	}
}

// subscribe starts a subscription of every consumer to every shard of its stream and
// returns once each has had its initial-response.
func (f *fanOut) subscribe(ctx context.Context, jobs []shardJob) error {
	ctx, f.cancel = context.WithCancel(ctx)
	started := make(chan error, len(f.consumers)*len(jobs))
	f.errs = make(chan error, len(f.consumers)*len(jobs))
	n := 0
	for ci, con := range f.consumers {
		for _, job := range jobs {
			if job.streamIdx != con.stream {
				continue
			}
			s := newSubscriber(f, ci, job)
			con.subs = append(con.subs, s)
			n++
			f.wg.Go(func() {
				if err := s.run(ctx, started); err != nil && ctx.Err() == nil {
					f.problem("%v", err)
					f.errs <- err
				}
			})
		}
	}
	for range n {
		select {
		case err := <-started:
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// drain waits until every consumer has been pushed as many records as the writers had
// acknowledged, a subscription fails, Config.DrainTimeout passes or ctx ends; then it ends the
// subscriptions.
func (f *fanOut) drain(ctx context.Context) error {
	defer f.stop()
	want := make([]int64, f.cfg.Streams) // by stream
	for _, w := range f.writers {
		want[w.stream] += acknowledged(&w.track)
	}
	timeout := time.NewTimer(f.cfg.DrainTimeout)
	defer timeout.Stop()
	for {
		done := true
		for _, con := range f.consumers {
			done = done && con.fresh.Load() >= want[con.stream]
		}
		if done {
			return nil
		}
		select {
		case <-f.pushed:
		case err := <-f.errs:
			return err
		case <-timeout.C:
			return nil // what is missing is reported as lost
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// stop ends the subscriptions and waits for them.
func (f *fanOut) stop() {
	if f.cancel != nil {
		f.cancel()
	}
	f.wg.Wait()
}

// result adds up the subscriptions, once they have ended and the writers are done.
func (f *fanOut) result() *FanOutResult {
	res := &FanOutResult{Consumers: f.cfg.Consumers}
	all, allSend := new(Histogram), new(Histogram)
	var last time.Time
	for _, con := range f.consumers {
		cr, hists, at := f.consumerResult(con)
		res.PerConsumer = append(res.PerConsumer, cr)
		res.Subscriptions += len(con.subs)
		res.Records += cr.Records
		res.BeforeAnswer += cr.BeforeAnswer
		all.Merge(hists[0])
		allSend.Merge(hists[1])
		if at.After(last) {
			last = at
		}
	}
	res.Latency, res.FromSend = all.Summary(), allSend.Summary()
	if !last.IsZero() {
		res.Seconds = last.Sub(f.writeStart).Seconds()
		res.RecordsPerSec = float64(res.Records) / res.Seconds
	}
	return res
}

// consumerResult adds up the subscriptions of one consumer and verifies that every record
// acknowledged to a writer of its stream was pushed to it.
// The histograms are of Latency and FromSend.
func (f *fanOut) consumerResult(con *consumer) (ConsumerResult, [2]*Histogram, time.Time) {
	cr := ConsumerResult{Name: con.name, ARN: con.arn}
	hist, fromSend := new(Histogram), new(Histogram)
	var c verifyCounts
	var last time.Time
	for _, s := range con.subs {
		s.resolvePending()
		hist.Merge(s.hist)
		fromSend.Merge(s.fromSend)
		cr.Events += s.events
		cr.BeforeAnswer += s.early
		c.add(&s.local)
		if s.lastAt.After(last) {
			last = s.lastAt
		}
	}
	cr.Records, cr.Latency, cr.FromSend = c.records, hist.Summary(), fromSend.Summary()
	if !last.IsZero() {
		cr.Seconds = last.Sub(f.writeStart).Seconds()
		cr.RecordsPerSec = float64(cr.Records) / cr.Seconds
	}
	v := &Verification{Read: c.records, Duplicated: c.duplicated, Reordered: c.reordered, Changed: c.changed,
		WrongShard: c.wrongShard, Unknown: c.unknown}
	for w, wr := range f.writers {
		if wr.stream != con.stream {
			continue
		}
		var seen bitset
		for _, s := range con.subs {
			seen.or(s.seen[w])
		}
		lost, doubt, unacked := seenAgainst(&wr.track, seen)
		unsent := seen.countFrom(wr.track.sent) // named as records the writer never sent
		v.Lost += lost
		v.InDoubt += doubt
		v.Unacknowledged += unacked - unsent
		v.Unknown += unsent
		v.Acknowledged += acknowledged(&wr.track)
	}
	v.OK = v.Lost == 0 && v.Duplicated == 0 && v.Reordered == 0 && v.Changed == 0 &&
		v.WrongShard == 0 && v.Unknown == 0 && v.Unacknowledged == 0
	if v.Lost > 0 {
		f.problem("consumer %s: %d acknowledged records were not pushed", con.name, v.Lost)
	}
	f.mu.Lock() // the problems of every consumer, together
	v.Problems = append([]string(nil), f.problems...)
	f.mu.Unlock()
	cr.Verify = v
	return cr, [2]*Histogram{hist, fromSend}, last
}

// errFanOut reports the consumers whose verification failed.
func (r *FanOutResult) err() error {
	var errs []error
	for _, c := range r.PerConsumer {
		if v := c.Verify; v != nil && !v.OK {
			errs = append(errs, fmt.Errorf("%w: consumer %s: %d lost, %d duplicated, %d reordered, %d changed, %d on the wrong shard, %d unknown, %d refused but pushed",
				ErrVerify, c.Name, v.Lost, v.Duplicated, v.Reordered, v.Changed, v.WrongShard, v.Unknown, v.Unacknowledged))
		}
	}
	return errors.Join(errs...)
}

// startFanOut registers the consumers of a run, subscribes them to every shard and starts
// following the server. The writers get their ackLogs.
func startFanOut(ctx context.Context, cfg Config, kc *kinesis.Client, streams []string, jobs []shardJob, writers []*writer) (*fanOut, error) {
	f := &fanOut{cfg: cfg, writers: writers, base: time.Now(), pushed: make(chan struct{}, 1)}
	for _, w := range writers {
		w.acks = &ackLog{base: f.base}
	}
	var err error
	f.consumers, err = registerConsumers(ctx, kc, streams, cfg.Consumers)
	if err != nil {
		return f, err
	}
	subs := len(f.consumers) * cfg.Shards
	f.c = newClient(cfg.Endpoint, cfg.Region, subs+1)
	if p := newServerProbe(ctx, cfg, f.c); p != nil {
		f.watch = &serverWatch{probe: p}
		f.watch.before(ctx)
	}
	if err := f.subscribe(ctx, jobs); err != nil {
		return f, err
	}
	return f, nil
}

// writing marks the start of the write phase.
func (f *fanOut) writing(ctx context.Context) {
	f.writeStart = time.Now()
	if f.watch != nil {
		f.watch.start(ctx)
	}
}

// finish waits for the consumers to be pushed what was written, ends the subscriptions
// and returns what they were pushed.
func (f *fanOut) finish(ctx context.Context) (*FanOutResult, error) {
	err := f.drain(ctx)
	res := f.result()
	if f.watch != nil && f.watch.stop != nil {
		res.Server = f.watch.finish(ctx, res.Records, res.Subscriptions)
	}
	if err != nil {
		return res, err
	}
	return res, res.err()
}

// close ends the subscriptions, if any are left, and deregisters the consumers unless
// the streams are kept.
func (f *fanOut) close(ctx context.Context, kc *kinesis.Client) error {
	f.stop()
	if f.c != nil {
		f.c.close()
	}
	if f.cfg.KeepStreams {
		return nil
	}
	return deregisterConsumers(ctx, kc, f.consumers)
}
