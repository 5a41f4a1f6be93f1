package bench

import (
	"bytes"
	"context"
	"fmt"
	"math/bits"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// maxReadRetries bounds the retries of one failed read call before its shard is given up.
const maxReadRetries = 5

// maxProblems bounds the problems a Verification describes.
const maxProblems = 10

// shardJob is one shard to read back.
type shardJob struct {
	stream    string
	streamIdx int   // the stream's place in the run's list
	shardIdx  int32 // the shard's place in the stream's open shard list
	id        string
}

// readPhase is the shared state of the read-back.
type readPhase struct {
	counters
	cfg     Config
	c       *client
	writers []*writer
	seen    []seenSet // by writer

	// Verification counts, added up by each shard reader when it finishes.
	duplicated, reordered, changed, wrongShard, unknown, unacked atomic.Int64

	mu       sync.Mutex
	problems []string
}

func (p *readPhase) problem(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.problems) < maxProblems {
		p.problems = append(p.problems, fmt.Sprintf(format, args...))
	}
}

// shardReader reads one shard after another; it checks every record against what the
// writers sent.
type shardReader struct {
	p     *readPhase
	job   shardJob
	hist  *Histogram
	buf   []byte
	req   []byte
	last  []int64 // by writer: the record count read last from this shard, -1 if none
	seq   []byte  // the sequence number read last from this shard
	local verifyCounts
}

type verifyCounts struct {
	records, bytes                                               int64
	duplicated, reordered, changed, wrongShard, unknown, unacked int64
}

// add adds o's counts to c.
func (c *verifyCounts) add(o *verifyCounts) {
	c.records += o.records
	c.bytes += o.bytes
	c.duplicated += o.duplicated
	c.reordered += o.reordered
	c.changed += o.changed
	c.wrongShard += o.wrongShard
	c.unknown += o.unknown
	c.unacked += o.unacked
}

// readShard reads job's shard from TRIM_HORIZON to its end: a closed shard's last record, or
// an empty answer that is not behind the tip.
func (r *shardReader) readShard(ctx context.Context, job shardJob) error {
	r.job, r.seq = job, r.seq[:0]
	for i := range r.last {
		r.last[i] = -1
	}
	r.req = append(r.req[:0], `{"StreamName":`...)
	r.req = strconv.AppendQuote(r.req, job.stream)
	r.req = append(r.req, `,"ShardId":`...)
	r.req = strconv.AppendQuote(r.req, job.id)
	r.req = append(r.req, `,"ShardIteratorType":"TRIM_HORIZON"}`...)
	answer, err := r.call(ctx, "GetShardIterator")
	if err != nil {
		return err
	}
	it, err := parseString(answer, "ShardIterator")
	if err != nil {
		return err
	}
	iterator := bytes.Clone(it)
	for {
		r.req = append(r.req[:0], `{"ShardIterator":"`...)
		r.req = append(r.req, iterator...)
		r.req = append(r.req, `","Limit":`...)
		r.req = strconv.AppendInt(r.req, int64(r.p.cfg.ReadLimit), 10)
		r.req = append(r.req, '}')
		answer, err := r.call(ctx, "GetRecords")
		if err != nil {
			return err
		}
		before := r.local
		a, err := parseGetRecords(answer, r.check)
		if err != nil {
			return fmt.Errorf("bench: GetRecords of %s: %w", job.id, err)
		}
		r.p.records.Add(r.local.records - before.records)
		r.p.bytes.Add(r.local.bytes - before.bytes)
		if !a.hasNext || (a.records == 0 && a.behindMs == 0) {
			return nil
		}
		iterator = append(iterator[:0], a.next...)
	}
}

// call sends r.req, retrying failures a few times.
func (r *shardReader) call(ctx context.Context, op string) ([]byte, error) {
	var lastErr error
	for attempt := range maxReadRetries {
		if attempt > 0 {
			sleep(ctx, time.Duration(attempt)*50*time.Millisecond)
		}
		start := time.Now()
		status, answer, err := r.p.c.call(ctx, op, r.req, r.buf)
		r.buf = answer
		r.p.calls.Add(1)
		if err == nil && status == http.StatusOK {
			r.hist.Record(time.Since(start))
			return answer, nil
		}
		r.p.errors.Add(1)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nil {
			err = parseError(op, status, answer)
		}
		lastErr = err
	}
	return nil, fmt.Errorf("bench: read %s of %s: %w", r.job.id, r.job.stream, lastErr)
}

// check verifies one record read from the shard: sequence numbers rise, the record was
// written by this run, read once, in its writer's order, with its data and partition key
// unchanged, on the shard that owns its key.
func (r *shardReader) check(seq, key, data []byte) {
	c := &r.local
	c.records++
	c.bytes += int64(base64Len(data))
	if len(r.seq) > 0 && compareDecimal(seq, r.seq) <= 0 {
		c.reordered++
		r.p.problem("%s/%s: sequence number %s after %s", r.job.stream, r.job.id, seq, r.seq)
	}
	r.seq = append(r.seq[:0], seq...)

	id, ok := readHeader(data)
	w, n := splitID(id)
	if !ok || w >= len(r.p.writers) || n >= r.p.writers[w].track.sent {
		c.unknown++
		r.p.problem("%s/%s: record %s was not written by this run", r.job.stream, r.job.id, seq)
		return
	}
	if r.p.seen[w].mark(n) {
		c.duplicated++
		r.p.problem("%s/%s: record %d of writer %d read again at %s", r.job.stream, r.job.id, n, w, seq)
		return
	}
	if last := r.last[w]; last >= 0 && n <= uint64(last) {
		c.reordered++
		r.p.problem("%s/%s: record %d of writer %d read after its record %d", r.job.stream, r.job.id, n, w, last)
	}
	r.last[w] = int64(n)
	r.checkContent(w, n, seq, key, data)
}

func (r *shardReader) checkContent(w int, n uint64, seq, key, data []byte) {
	c, wr := &r.local, r.p.writers[w]
	if !wr.track.acked.has(n) && !wr.track.doubt.has(n) {
		c.unacked++
		r.p.problem("%s/%s: record %d of writer %d was refused but is stored at %s", r.job.stream, r.job.id, n, w, seq)
	}
	t, j := wr.ts.slot(n)
	if wr.stream != r.job.streamIdx || t.shard[j] != r.job.shardIdx {
		c.wrongShard++
		r.p.problem("%s/%s: record %d of writer %d (key %s) belongs to another shard", r.job.stream, r.job.id, n, w, key)
	}
	if recordSum(key, data[headerChars:]) != t.sums[j] {
		c.changed++
		r.p.problem("%s/%s: record %d of writer %d at %s has other data or key than written", r.job.stream, r.job.id, n, w, seq)
	}
}

// flush adds the reader's verification counts to the phase.
func (r *shardReader) flush() {
	c := &r.local
	r.p.duplicated.Add(c.duplicated)
	r.p.reordered.Add(c.reordered)
	r.p.changed.Add(c.changed)
	r.p.wrongShard.Add(c.wrongShard)
	r.p.unknown.Add(c.unknown)
	r.p.unacked.Add(c.unacked)
}

// readAll reads every shard back, ReadConnections at a time, and verifies what it reads.
func readAll(ctx context.Context, cfg Config, c *client, writers []*writer, jobs []shardJob) (PhaseResult, *Verification, error) {
	p := &readPhase{cfg: cfg, c: c, writers: writers, seen: make([]seenSet, len(writers))}
	for i, w := range writers {
		p.seen[i] = newSeenSet(w.track.sent)
	}
	meter, err := startPhase(cfg, PhaseRead, &p.counters)
	if err != nil {
		return PhaseResult{}, nil, err
	}
	queue := make(chan shardJob, len(jobs))
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	readers := make([]*shardReader, min(cfg.ReadConnections, len(jobs)))
	errs := make([]error, len(readers))
	var wg sync.WaitGroup
	for i := range readers {
		r := &shardReader{p: p, hist: new(Histogram), last: make([]int64, len(writers))}
		readers[i] = r
		wg.Go(func() {
			for job := range queue {
				if err := r.readShard(ctx, job); err != nil && errs[i] == nil {
					errs[i] = err
					p.problem("%v", err)
				}
			}
			r.flush()
		})
	}
	wg.Wait()
	hists := make([]*Histogram, len(readers))
	for i, r := range readers {
		hists[i] = r.hist
	}
	res := meter.finish(hists)
	v := p.verification()
	if ctx.Err() != nil {
		return res, v, ctx.Err()
	}
	for _, err := range errs {
		if err != nil {
			return res, v, err
		}
	}
	return res, v, nil
}

// verification sums up the read-back once every shard has been read.
func (p *readPhase) verification() *Verification {
	v := &Verification{
		Read:           p.records.Load(),
		Duplicated:     p.duplicated.Load(),
		Reordered:      p.reordered.Load(),
		Changed:        p.changed.Load(),
		WrongShard:     p.wrongShard.Load(),
		Unknown:        p.unknown.Load(),
		Unacknowledged: p.unacked.Load(),
	}
	for i, w := range p.writers {
		lost, doubt := lostAndDoubt(&w.track, p.seen[i])
		v.Lost += lost
		v.InDoubt += doubt
		v.Acknowledged += acknowledged(&w.track)
	}
	v.OK = v.Lost == 0 && v.Duplicated == 0 && v.Reordered == 0 && v.Changed == 0 &&
		v.WrongShard == 0 && v.Unknown == 0 && v.Unacknowledged == 0
	if !v.OK && v.Lost > 0 {
		p.problem("%d acknowledged records were not read back", v.Lost)
	}
	v.Problems = p.problems
	return v
}

// acknowledged counts the records the server acknowledged to one writer.
func acknowledged(t *writeTrack) int64 {
	var n int64
	for w := range t.acked {
		n += int64(bits.OnesCount64(t.acked[w]))
	}
	return n
}

// base64Len returns the number of bytes the padded base64 text b decodes to.
func base64Len(b []byte) int {
	n := len(b) / 4 * 3
	for i := len(b) - 1; i >= 0 && i >= len(b)-2 && b[i] == '='; i-- {
		n--
	}
	return n
}

// compareDecimal compares two decimal numbers without leading zeros, as Kinesis sequence
// numbers are.
func compareDecimal(a, b []byte) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return bytes.Compare(a, b)
}
