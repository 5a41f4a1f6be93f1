package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	slkinesis "github.com/shardlog/shardlog/kinesis"
)

// tailConfig is everything `shardlog tail` can be told.
type tailConfig struct {
	client   clientFlags
	stream   string
	from     string
	atSeq    string
	afterSeq string
	shards   shardList
	format   string
	follow   bool
	count    int
	poll     time.Duration
	refresh  time.Duration
	limit    int
	deagg    bool

	consumer   string // read with enhanced fan-out (SubscribeToShard) as this consumer
	deregister bool   // deregister the consumer when tail ends

	backoff    time.Duration // first wait before reconnecting; 0 means defaultTailBackoff (tests shorten it)
	maxBackoff time.Duration // longest wait between reconnection attempts; 0 means maxTailBackoff
	silence    time.Duration // longest wait for a subscription's next event; 0 means defaultSubscriptionSilence
}

// shardList collects repeated --shard flags.
type shardList []string

func (l *shardList) String() string { return strings.Join(*l, ",") }
func (l *shardList) Set(s string) error {
	for _, id := range strings.Split(s, ",") {
		idx, err := slkinesis.ParseShardID(strings.TrimSpace(id))
		if err != nil {
			return err
		}
		*l = append(*l, slkinesis.ShardID(idx))
	}
	return nil
}

func (c *tailConfig) flags(fs *flag.FlagSet) {
	c.client.flags(fs)
	fs.StringVar(&c.stream, "stream", "", "stream to read (required)")
	fs.StringVar(&c.from, "from", "trim-horizon", "where to start: trim-horizon, latest, a time (RFC 3339, e.g. 2026-01-02T15:04:05Z) or a duration ago (e.g. 5m)")
	fs.StringVar(&c.atSeq, "at-sequence", "", "start at this sequence number, in the shard that holds it")
	fs.StringVar(&c.afterSeq, "after-sequence", "", "start after this sequence number, in the shard that holds it")
	fs.Var(&c.shards, "shard", "follow only this shard and its descendants (repeatable, or comma-separated)")
	fs.StringVar(&c.format, "format", "raw", "raw (each record's data and a newline) or json (one object per record: shard, sequence number, partition key, arrival time, data)")
	fs.BoolVar(&c.follow, "follow", true, "keep waiting for new records; with --follow=false, stop once every shard is read to its tip")
	fs.IntVar(&c.count, "count", 0, "stop after this many records (0: no limit)")
	fs.DurationVar(&c.poll, "poll", 200*time.Millisecond, "wait between GetRecords calls of a shard that is read to its tip (Kinesis allows 5 calls a second per shard)")
	fs.DurationVar(&c.refresh, "refresh", 5*time.Second, "how often to list the shards, to find those made by resharding")
	fs.IntVar(&c.limit, "limit", 10000, "records per GetRecords call, at most 10000")
	fs.BoolVar(&c.deagg, "deaggregate", true, "print the user records inside KPL-aggregated records, each with its sub-sequence number in --format json; --deaggregate=false prints aggregated records as they are stored")
	fs.StringVar(&c.consumer, "consumer", "", "read with enhanced fan-out (SubscribeToShard) as this stream consumer, registered if it is not")
	fs.BoolVar(&c.deregister, "deregister", false, "with --consumer, deregister the consumer when tail ends (also on Ctrl-C)")
}

const tailUsage = `Usage: shardlog tail --stream NAME [flags]

Prints the records of every shard of a stream as they arrive, from TRIM_HORIZON, LATEST, a
time or a sequence number, and follows resharding: a child shard is read once its parents
are read to their end, so the records of one partition key keep their order.

Records aggregated by the Kinesis Producer Library (KPL) are taken apart, as the KCL does:
each user record is printed, with its own partition key and sub-sequence number in
--format json. When the server goes away (a restart), tail waits for it with backoff and
resumes after the last record it printed.

With --consumer NAME, tail reads with enhanced fan-out: it registers the consumer NAME if the
stream has none (and waits until it is ACTIVE) and subscribes to each shard with
SubscribeToShard, which pushes records as they arrive, instead of polling with GetRecords
(--poll and --limit then do not apply). A subscription that ends (after its 5 minutes, a
takeover by another subscriber, a restart of the server) is renewed from the last event's
ContinuationSequenceNumber. With --deregister the consumer is deregistered when tail ends.

`

func runTail(args []string, stdout, stderr io.Writer) int {
	return runTailWith(tailConfig{}, args, stdout, stderr)
}

// runTailWith is runTail starting from cfg, whose fields that are not flags (backoff) stay
// as given.
func runTailWith(cfg tailConfig, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("tail", tailUsage, stderr)
	cfg.flags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	start, err := cfg.check(fs.NArg(), time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "shardlog tail:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err = tail(ctx, cfg, start, stdout, stderr)
	if err != nil && !(errors.Is(err, context.Canceled) && ctx.Err() != nil) {
		fmt.Fprintln(stderr, "shardlog tail:", friendly(err, cfg.client.endpoint))
		return 1
	}
	return 0
}

// position is where the shards a tail starts with are read from.
type position struct {
	typ  types.ShardIteratorType
	seq  string    // AT_ and AFTER_SEQUENCE_NUMBER
	time time.Time // AT_TIMESTAMP
}

// check validates the flags and returns the start position.
func (c *tailConfig) check(args int, now time.Time) (position, error) {
	switch {
	case args > 0:
		return position{}, errors.New("unexpected arguments; records are printed, not taken")
	case c.stream == "":
		return position{}, errors.New("--stream is required")
	case c.format != "raw" && c.format != "json":
		return position{}, fmt.Errorf("--format %q: want raw or json", c.format)
	case c.limit < 1 || c.limit > 10000:
		return position{}, fmt.Errorf("--limit %d: want 1 to 10000", c.limit)
	case c.atSeq != "" && c.afterSeq != "":
		return position{}, errors.New("--at-sequence and --after-sequence exclude each other")
	case c.deregister && c.consumer == "":
		return position{}, errors.New("--deregister needs --consumer")
	case c.atSeq != "":
		return position{typ: types.ShardIteratorTypeAtSequenceNumber, seq: c.atSeq}, nil
	case c.afterSeq != "":
		return position{typ: types.ShardIteratorTypeAfterSequenceNumber, seq: c.afterSeq}, nil
	}
	return parseFrom(c.from, now)
}

// parseFrom reads --from.
func parseFrom(s string, now time.Time) (position, error) {
	switch strings.ToLower(s) {
	case "trim-horizon", "trim_horizon":
		return position{typ: types.ShardIteratorTypeTrimHorizon}, nil
	case "latest":
		return position{typ: types.ShardIteratorTypeLatest}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return position{typ: types.ShardIteratorTypeAtTimestamp, time: t}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return position{typ: types.ShardIteratorTypeAtTimestamp, time: now.Add(-d)}, nil
	}
	return position{}, fmt.Errorf("--from %q: want trim-horizon, latest, an RFC 3339 time or a duration", s)
}

// tailShard is one shard the tail knows of.
type tailShard struct {
	id       string
	parents  []string
	open     bool // no EndingSequenceNumber when listed
	followed bool
	state    shardState
	start    position
}

type shardState int

const (
	shardWaiting shardState = iota // followed, waiting for its parents to be read
	shardReading
	shardDone // read to its end (closed), or to its tip with --follow=false
)

// tailer reads the followed shards of one stream and prints their records.
type tailer struct {
	cfg         tailConfig
	kc          *kinesis.Client
	stderr      io.Writer
	consumerARN string // with --consumer

	mu       sync.Mutex
	shards   map[string]*tailShard
	order    []string // shard ids in the order they became known
	reading  int
	printed  int
	out      *bufio.Writer
	finished chan struct{} // closed when nothing is left to read, or --count is reached
	fail     error
	away     bool // the server could not be reached; said once on stderr until it is back

	wg sync.WaitGroup
}

// tail runs `shardlog tail` until ctx is done, --count records are printed, or with
// --follow=false every followed shard is read to its tip.
func tail(ctx context.Context, cfg tailConfig, start position, stdout, stderr io.Writer) (err error) {
	kc, err := cfg.client.client(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := &tailer{cfg: cfg, kc: kc, stderr: stderr, shards: map[string]*tailShard{},
		out: bufio.NewWriterSize(stdout, 64<<10), finished: make(chan struct{})}
	if cfg.consumer != "" {
		if err := t.useConsumer(ctx); err != nil {
			return err
		}
		if cfg.deregister {
			defer func() {
				if derr := t.deregisterConsumer(ctx); derr != nil && errors.Is(err, context.Canceled) {
					err = derr // interrupted: the failed deregistration is what to report
				} else if derr != nil {
					err = errors.Join(err, derr)
				}
			}()
		}
	}
	listed, err := t.list(ctx)
	if err != nil {
		return err
	}
	if err := t.begin(listed, start); err != nil {
		return err
	}
	t.schedule(ctx)
	err = t.wait(ctx)
	cancel()
	t.wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	return errors.Join(err, t.out.Flush())
}

// wait returns when the tail is finished, fails, or ctx is done; it lists the shards every
// --refresh to find new ones.
func (t *tailer) wait(ctx context.Context) error {
	tick := time.NewTicker(t.cfg.refresh)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.finished:
			t.mu.Lock()
			defer t.mu.Unlock()
			return t.fail
		case <-tick.C:
			listed, err := t.list(ctx)
			if err != nil {
				if !isUnavailable(err) {
					fmt.Fprintln(t.stderr, "shardlog tail: list shards:", err)
				}
				continue
			}
			t.mu.Lock()
			for _, sh := range listed {
				t.learn(sh.id, sh.parents, sh.open)
			}
			t.mu.Unlock()
			t.schedule(ctx)
		}
	}
}

// list returns every shard of the stream.
func (t *tailer) list(ctx context.Context) ([]tailShard, error) {
	var out []tailShard
	in := &kinesis.ListShardsInput{StreamName: aws.String(t.cfg.stream)}
	for {
		page, err := t.kc.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list shards of %s: %w", t.cfg.stream, err)
		}
		for _, sh := range page.Shards {
			s := tailShard{id: aws.ToString(sh.ShardId), open: true}
			for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
				if p != nil && *p != "" {
					s.parents = append(s.parents, *p)
				}
			}
			if sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil {
				s.open = false
			}
			out = append(out, s)
		}
		if page.NextToken == nil {
			return out, nil
		}
		in = &kinesis.ListShardsInput{NextToken: page.NextToken}
	}
}

// begin picks the shards to follow at the start and where each starts.
func (t *tailer) begin(listed []tailShard, start position) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	wanted := map[string]bool{}
	for _, id := range t.cfg.shards {
		wanted[id] = true
	}
	if start.seq != "" && len(wanted) == 0 {
		id, err := shardOfSequence(start.seq)
		if err != nil {
			return err
		}
		wanted[id] = true
	}
	for i := range listed {
		sh := &listed[i]
		sh.start = start
		switch {
		case len(wanted) > 0:
			sh.followed = wanted[sh.id] || t.hasFollowedParent(sh.parents)
			if !wanted[sh.id] && start.typ != types.ShardIteratorTypeAtTimestamp {
				sh.start = position{typ: types.ShardIteratorTypeTrimHorizon}
			}
		case start.typ == types.ShardIteratorTypeLatest:
			sh.followed = sh.open // a closed shard gets nothing new
		default:
			sh.followed = true
		}
		t.shards[sh.id] = sh
		t.order = append(t.order, sh.id)
	}
	for id := range wanted {
		if t.shards[id] == nil {
			return fmt.Errorf("stream %s has no shard %s", t.cfg.stream, id)
		}
	}
	return nil
}

// shardOfSequence returns the id of the shard a sequence number belongs to: the layout AWS
// (and shardlog) uses carries the shard's index.
func shardOfSequence(seq string) (string, error) {
	n, err := slkinesis.ParseSequenceNumber(seq)
	if err != nil {
		return "", fmt.Errorf("sequence number %s: %w (name its shard with --shard)", seq, err)
	}
	return slkinesis.ShardID(int(n.ShardIndex)), nil
}

func (t *tailer) hasFollowedParent(parents []string) bool {
	for _, p := range parents {
		if sh := t.shards[p]; sh != nil && sh.followed {
			return true
		}
	}
	return false
}

// learn records a shard found after the start (by a listing or in ChildShards). It is
// followed if no shard was named and the start was not a sequence number, or if one of its
// parents is followed; everything in a new shard is new, so it is read from TRIM_HORIZON.
func (t *tailer) learn(id string, parents []string, open bool) {
	if t.shards[id] != nil {
		return
	}
	sh := &tailShard{id: id, parents: parents, open: open, start: position{typ: types.ShardIteratorTypeTrimHorizon}}
	sh.followed = t.hasFollowedParent(parents) || (len(t.cfg.shards) == 0 && t.cfg.atSeq == "" && t.cfg.afterSeq == "")
	t.shards[id] = sh
	t.order = append(t.order, id)
}

// schedule starts every followed shard whose followed parents are all done. With
// --follow=false it finishes the tail when nothing is left reading: every shard that could
// start has. A following tail goes on, since resharding may yet add shards.
func (t *tailer) schedule(ctx context.Context) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range t.order {
		sh := t.shards[id]
		if !sh.followed || sh.state != shardWaiting || !t.parentsDone(sh) {
			continue
		}
		sh.state = shardReading
		t.reading++
		t.wg.Go(func() { t.read(ctx, sh) })
	}
	if t.reading == 0 && !t.cfg.follow {
		t.finish(nil)
	}
}

func (t *tailer) parentsDone(sh *tailShard) bool {
	for _, p := range sh.parents {
		if ps := t.shards[p]; ps != nil && ps.followed && ps.state != shardDone {
			return false
		}
	}
	return true
}

// finish ends the tail once; err is the failure, if any. t.mu is held.
func (t *tailer) finish(err error) {
	select {
	case <-t.finished:
	default:
		t.fail = err
		close(t.finished)
	}
}

// read follows one shard until it ends (closed and read), is read to its tip with
// --follow=false, or ctx is done.
func (t *tailer) read(ctx context.Context, sh *tailShard) {
	read := t.readShard
	if t.consumerARN != "" {
		read = t.subscribeShard
	}
	err := read(ctx, sh)
	t.mu.Lock()
	t.reading--
	if err != nil && ctx.Err() == nil {
		t.finish(fmt.Errorf("%s: %w", sh.id, err))
	}
	sh.state = shardDone
	t.mu.Unlock()
	if ctx.Err() == nil {
		t.schedule(ctx)
	}
}

func (t *tailer) readShard(ctx context.Context, sh *tailShard) error {
	var last string // sequence number of the last record printed, to resume after it
	asked := time.Now()
	it, err := t.iterator(ctx, sh.id, sh.start)
	if isUnavailable(err) {
		it, err = t.reconnect(ctx, sh, last, err)
	}
	if err != nil {
		return err
	}
	pinLatest(sh, asked)
	for ctx.Err() == nil {
		out, err := t.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(int32(t.cfg.limit))})
		var expired *types.ExpiredIteratorException
		switch {
		case errors.As(err, &expired):
			if it, err = t.iterator(ctx, sh.id, resumePosition(sh, last)); err != nil {
				return err
			}
			continue
		case isUnavailable(err):
			if it, err = t.reconnect(ctx, sh, last, err); err != nil {
				return err
			}
			continue
		case err != nil:
			return fmt.Errorf("GetRecords: %w", err)
		}
		t.back()
		if len(out.Records) > 0 {
			last = aws.ToString(out.Records[len(out.Records)-1].SequenceNumber)
			if t.print(sh.id, out.Records) {
				return nil // --count reached
			}
		}
		if out.NextShardIterator == nil {
			t.mu.Lock()
			for _, c := range out.ChildShards {
				t.learn(aws.ToString(c.ShardId), c.ParentShards, true)
			}
			t.mu.Unlock()
			return nil
		}
		it = out.NextShardIterator
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			if !t.cfg.follow {
				return nil
			}
			if err := pause(ctx, t.cfg.poll); err != nil {
				return nil
			}
		}
	}
	return nil
}

// iterator returns a shard iterator at pos.
func (t *tailer) iterator(ctx context.Context, shardID string, pos position) (*string, error) {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(t.cfg.stream), ShardId: aws.String(shardID), ShardIteratorType: pos.typ}
	switch pos.typ {
	case types.ShardIteratorTypeAtSequenceNumber, types.ShardIteratorTypeAfterSequenceNumber:
		in.StartingSequenceNumber = aws.String(pos.seq)
	case types.ShardIteratorTypeAtTimestamp:
		in.Timestamp = aws.Time(pos.time)
	}
	out, err := t.kc.GetShardIterator(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("GetShardIterator %s: %w", pos.typ, err)
	}
	return out.ShardIterator, nil
}

// tailRecord is a record as --format json prints it. Data is the record's data as text when
// it is valid UTF-8, else DataBase64 holds it. A user record of a KPL aggregate has the
// aggregate's sequence number and arrival time, its own partition key and explicit hash
// key, and its sub-sequence number (its index in the aggregate), as the KCL gives them.
type tailRecord struct {
	ShardID           string    `json:"shardId"`
	SequenceNumber    string    `json:"sequenceNumber"`
	SubSequenceNumber *int64    `json:"subSequenceNumber,omitempty"`
	PartitionKey      string    `json:"partitionKey"`
	ExplicitHashKey   string    `json:"explicitHashKey,omitempty"`
	ArrivalTime       time.Time `json:"arrivalTime"`
	Data              *string   `json:"data,omitempty"`
	DataBase64        []byte    `json:"dataBase64,omitempty"`
}

// print writes records of one shard; it reports whether --count is reached.
func (t *tailer) print(shardID string, recs []types.Record) (done bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
records:
	for _, r := range recs {
		for _, u := range t.userRecords(r) {
			if t.cfg.count > 0 && t.printed >= t.cfg.count {
				break records
			}
			t.printed++
			t.printOne(shardID, r, u)
		}
	}
	if err := t.out.Flush(); err != nil {
		t.finish(fmt.Errorf("write output: %w", err))
		return true
	}
	if t.cfg.count > 0 && t.printed >= t.cfg.count {
		t.finish(nil)
		return true
	}
	return false
}

// printOne writes one record, or one user record of an aggregate r. t.mu is held.
func (t *tailer) printOne(shardID string, r types.Record, u userRecord) {
	if t.cfg.format == "raw" {
		t.out.Write(u.data)
		t.out.WriteByte('\n')
		return
	}
	rec := tailRecord{ShardID: shardID, SequenceNumber: aws.ToString(r.SequenceNumber), PartitionKey: u.partitionKey,
		ExplicitHashKey: u.explicitHashKey, ArrivalTime: aws.ToTime(r.ApproximateArrivalTimestamp).UTC()}
	if u.aggregated {
		rec.SubSequenceNumber = &u.subSequence
	}
	if utf8.Valid(u.data) {
		s := string(u.data)
		rec.Data = &s
	} else {
		rec.DataBase64 = u.data
	}
	b, _ := json.Marshal(rec)
	t.out.Write(b)
	t.out.WriteByte('\n')
}
