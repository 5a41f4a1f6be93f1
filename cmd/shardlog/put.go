package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	slkinesis "github.com/shardlog/shardlog/kinesis"
)

// maxLineBytes is the largest record a stream can be configured for.
const maxLineBytes = slkinesis.MaxMaxRecordSizeKiB << 10

// putRetries bounds how often put resends the records a PutRecords answer refused.
const putRetries = 8

// defaultPutBackoff is the wait before the first resend; it doubles with each round, up to a
// second.
const defaultPutBackoff = 100 * time.Millisecond

// clientFlags are the flags of every command that talks to a Kinesis endpoint.
type clientFlags struct {
	endpoint string
	region   string
}

func (c *clientFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.endpoint, "endpoint", "http://127.0.0.1:4567", "Kinesis endpoint URL; empty for the AWS SDK's own (AWS_ENDPOINT_URL_KINESIS or AWS)")
	fs.StringVar(&c.region, "region", "", "AWS region (default: AWS_REGION, the AWS config, or us-east-1)")
}

// client returns a Kinesis client of the AWS SDK for Go v2 for the endpoint. Credentials and
// region come from the usual AWS environment variables and files; with no credentials in the
// environment (no AWS_ACCESS_KEY_ID, no AWS_PROFILE) it uses dummy static ones, which a local
// server accepts, so that the SDK never goes looking for an EC2 instance role.
func (c *clientFlags) client(ctx context.Context) (*kinesis.Client, error) {
	var opts []func(*config.LoadOptions) error
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDSHARDLOG", "shardlog", "")))
	}
	if c.region != "" {
		opts = append(opts, config.WithRegion(c.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		if c.endpoint != "" {
			o.BaseEndpoint = aws.String(c.endpoint)
		}
	}), nil
}

// putConfig is everything `shardlog put` can be told.
type putConfig struct {
	client       clientFlags
	stream       string
	partitionKey string
	keyField     string
	batch        int
	linger       time.Duration
	create       bool
	shards       int
	print        bool
	quiet        bool
	aggregate    bool
	aggBytes     int

	backoff    time.Duration        // wait before the first resend; 0 means defaultPutBackoff (tests shorten it)
	isTerminal func(io.Reader) bool // whether standard input is a terminal; nil means readsTerminal
	shardsSet  bool                 // --shards was given
	warn       io.Writer            // where put says what it did not do (stderr)
}

func (c *putConfig) flags(fs *flag.FlagSet) {
	c.client.flags(fs)
	fs.StringVar(&c.stream, "stream", "", "stream to write to (required)")
	fs.StringVar(&c.partitionKey, "partition-key", "", "partition key of every record (default: a random key per record)")
	fs.StringVar(&c.keyField, "key-field", "", "take each record's partition key from this field of the line, read as a JSON object")
	fs.IntVar(&c.batch, "batch", slkinesis.MaxPutRecordsEntries, "records per PutRecords call, at most 500")
	fs.DurationVar(&c.linger, "linger", 100*time.Millisecond, "send a partial batch when no line has come for this long")
	fs.BoolVar(&c.create, "create", false, "create the stream if it does not exist, and wait until it is ACTIVE")
	fs.IntVar(&c.shards, "shards", 1, "shard count of a stream made by --create")
	fs.BoolVar(&c.print, "print", false, "print each record's shard id and sequence number, in input order (with --aggregate: and its sub-sequence number, in the order the aggregates were sent)")
	fs.BoolVar(&c.quiet, "quiet", false, "do not print the summary on stderr")
	fs.BoolVar(&c.aggregate, "aggregate", false, "pack the records into KPL aggregated records, one aggregate in the making per shard, as the Kinesis Producer Library does; --print then gives each record's sub-sequence number too")
	fs.IntVar(&c.aggBytes, "aggregate-bytes", defaultAggregateBytes, fmt.Sprintf("largest aggregated record, in bytes (the KPL's AggregationMaxSize), at most %d", maxAggregateBytes))
}

const putUsage = `Usage: shardlog put --stream NAME [flags] [RECORD ...]

Sends records to a stream with PutRecords: each RECORD argument, or else each line of
standard input (without its newline), is one record. Lines are sent in batches of up to 500
records and 5 MiB; a partial batch goes out when input pauses (--linger). Records a
PutRecords answer refuses are sent again, in order. The partition key is --partition-key,
a field of each JSON line (--key-field), or random.

With --aggregate, records are packed into aggregated records as the Kinesis Producer
Library (KPL) writes them, which the KCL, Lambda and 'shardlog tail' take apart again.

`

func runPut(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runPutWith(putConfig{}, args, stdin, stdout, stderr)
}

// runPutWith is runPut starting from cfg, whose fields that are not flags (backoff) stay as
// given.
func runPutWith(cfg putConfig, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("put", putUsage, stderr)
	cfg.flags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	fs.Visit(func(f *flag.Flag) { cfg.shardsSet = cfg.shardsSet || f.Name == "shards" })
	cfg.warn = stderr
	if err := cfg.check(); err != nil {
		fmt.Fprintln(stderr, "shardlog put:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var lines <-chan line
	if fs.NArg() > 0 {
		lines = argLines(fs.Args())
	} else {
		if cfg.terminal(stdin) {
			fmt.Fprintln(stderr, "shardlog put: reading records from the terminal, one a line; end with Ctrl-D")
		}
		lines = readLines(ctx, stdin)
	}
	stats, err := put(ctx, cfg, lines, stdout)
	if !cfg.quiet && (err == nil || stats.records > 0) { // a failure before any record is put says it all
		fmt.Fprintf(stderr, "shardlog put: %s to stream %s\n", stats, cfg.stream)
	}
	if err != nil {
		fmt.Fprintln(stderr, "shardlog put:", friendly(err, cfg.client.endpoint))
		return 1
	}
	return 0
}

func (c *putConfig) check() error {
	switch {
	case c.stream == "":
		return errors.New("--stream is required")
	case c.batch < 1 || c.batch > slkinesis.MaxPutRecordsEntries:
		return fmt.Errorf("--batch %d: want 1 to %d", c.batch, slkinesis.MaxPutRecordsEntries)
	case c.partitionKey != "" && c.keyField != "":
		return errors.New("--partition-key and --key-field exclude each other")
	case c.shards < 1:
		return fmt.Errorf("--shards %d: want at least 1", c.shards)
	case c.aggBytes < minAggregateBytes || c.aggBytes > maxAggregateBytes:
		return fmt.Errorf("--aggregate-bytes %d: want %d to %d", c.aggBytes, minAggregateBytes, maxAggregateBytes)
	}
	return nil
}

// line is one input record, or the error that ended the input.
type line struct {
	n    int // 1-based, for messages
	data []byte
	err  error
}

// argLines delivers the command-line records.
func argLines(args []string) <-chan line {
	ch := make(chan line, len(args))
	for i, a := range args {
		ch <- line{n: i + 1, data: []byte(a)}
	}
	close(ch)
	return ch
}

// readLines delivers the lines of r until its end, on a goroutine, so that put can send a
// partial batch while the input pauses.
func readLines(ctx context.Context, r io.Reader) <-chan line {
	ch := make(chan line, slkinesis.MaxPutRecordsEntries)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), maxLineBytes)
		n := 0
		for sc.Scan() {
			n++
			select {
			case ch <- line{n: n, data: append([]byte(nil), sc.Bytes()...)}:
			case <-ctx.Done():
				return
			}
		}
		if err := sc.Err(); err != nil {
			ch <- line{n: n + 1, err: fmt.Errorf("line %d: %w", n+1, err)}
		}
	}()
	return ch
}

// putStats counts what put sent: user records, the Kinesis records that carried them
// (fewer with --aggregate), and PutRecords calls.
type putStats struct{ records, kinesisRecords, calls int }

// String is the summary: "1 record in 1 call", "5 records, aggregated into 2, in 1 call".
func (s putStats) String() string {
	if s.kinesisRecords != s.records {
		return fmt.Sprintf("%s, aggregated into %d, in %s", plural(s.records, "record"), s.kinesisRecords, plural(s.calls, "call"))
	}
	return fmt.Sprintf("%s in %s", plural(s.records, "record"), plural(s.calls, "call"))
}

// plural is n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// put sends the lines as records in batches until the input ends.
func put(ctx context.Context, cfg putConfig, lines <-chan line, stdout io.Writer) (putStats, error) {
	var stats putStats
	kc, err := cfg.client.client(ctx)
	if err != nil {
		return stats, err
	}
	if cfg.create {
		if err := createStream(ctx, kc, cfg); err != nil {
			return stats, err
		}
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	p := &putter{cfg: cfg, kc: kc, out: out, stats: &stats, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
	if cfg.aggregate {
		if p.agg, err = newAggregator(ctx, kc, cfg.stream, cfg.aggBytes); err != nil {
			return stats, err
		}
	}
	b := &batcher{limit: cfg.batch}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return stats, p.flush(ctx, b)
			}
			if l.err != nil {
				return stats, errors.Join(p.flush(ctx, b), l.err)
			}
			entry, err := p.entry(l)
			if err != nil {
				return stats, errors.Join(p.flush(ctx, b), err)
			}
			if err := p.add(ctx, b, entry); err != nil {
				return stats, err
			}
			if p.held(b) == 1 {
				timer.Reset(cfg.linger)
			}
		case <-timer.C:
			if err := p.flush(ctx, b); err != nil {
				return stats, err
			}
		case <-ctx.Done():
			return stats, ctx.Err()
		}
	}
}

// batcher packs records into PutRecords batches within the count and size limits.
type batcher struct {
	limit   int
	entries []types.PutRecordsRequestEntry
	bytes   int
}

func entryBytes(e types.PutRecordsRequestEntry) int {
	return len(e.Data) + len(aws.ToString(e.PartitionKey))
}

// add adds e; if e does not fit, it first returns the batch so far, to be sent, and starts a
// new one with e.
func (b *batcher) add(e types.PutRecordsRequestEntry) (full []types.PutRecordsRequestEntry) {
	if len(b.entries) > 0 && b.bytes+entryBytes(e) > slkinesis.MaxPutRecordsBytes {
		full = b.take()
	}
	b.entries = append(b.entries, e)
	b.bytes += entryBytes(e)
	if full == nil && len(b.entries) >= b.limit {
		full = b.take()
	}
	return full
}

func (b *batcher) take() []types.PutRecordsRequestEntry {
	e := b.entries
	b.entries, b.bytes = nil, 0
	return e
}

func (b *batcher) len() int { return len(b.entries) }

// putter sends batches and reports their records.
type putter struct {
	cfg   putConfig
	kc    *kinesis.Client
	out   *bufio.Writer
	stats *putStats
	rng   *rand.Rand

	agg    *aggregator // with --aggregate
	queued []packed    // the entries handed to the batcher and not yet sent, in order
}

// add hands one record to the batcher, through the aggregator with --aggregate, and sends
// the batches that fill up.
func (p *putter) add(ctx context.Context, b *batcher, e types.PutRecordsRequestEntry) error {
	if p.agg == nil {
		return p.enqueue(ctx, b, packed{entry: e, users: 1})
	}
	if p.agg.stale {
		if err := p.remap(ctx, b); err != nil {
			return err
		}
	}
	for _, done := range p.agg.add(e) {
		if err := p.enqueue(ctx, b, done); err != nil {
			return err
		}
	}
	return nil
}

// flush sends every record held, in the aggregator and in the batcher.
func (p *putter) flush(ctx context.Context, b *batcher) error {
	if p.agg != nil {
		for _, done := range p.agg.flush() {
			if err := p.enqueue(ctx, b, done); err != nil {
				return err
			}
		}
	}
	return p.send(ctx, b.take())
}

// remap sends the aggregates in the making, whose shards were predicted from a map that is
// out of date, and lists the shards again.
func (p *putter) remap(ctx context.Context, b *batcher) error {
	for _, done := range p.agg.flush() {
		if err := p.enqueue(ctx, b, done); err != nil {
			return err
		}
	}
	return p.agg.list(ctx)
}

// enqueue adds a Kinesis record to the batch, sending the batch if it is full.
func (p *putter) enqueue(ctx context.Context, b *batcher, pk packed) error {
	p.queued = append(p.queued, packed{users: pk.users, shard: pk.shard})
	if full := b.add(pk.entry); full != nil {
		return p.send(ctx, full)
	}
	return nil
}

// held is the number of records read and not yet sent.
func (p *putter) held(b *batcher) int {
	n := b.len()
	if p.agg != nil {
		n += p.agg.held
	}
	return n
}

// backoff is the wait before the first resend.
func (p *putter) backoff() time.Duration {
	if p.cfg.backoff > 0 {
		return p.cfg.backoff
	}
	return defaultPutBackoff
}

// entry makes the record of one input line.
func (p *putter) entry(l line) (types.PutRecordsRequestEntry, error) {
	key := p.cfg.partitionKey
	if p.cfg.keyField != "" {
		k, err := fieldKey(l.data, p.cfg.keyField)
		if err != nil {
			return types.PutRecordsRequestEntry{}, fmt.Errorf("line %d: %w", l.n, err)
		}
		key = k
	}
	if key == "" {
		var b [8]byte
		for i := range b {
			b[i] = byte(p.rng.Uint32())
		}
		key = hex.EncodeToString(b[:])
	}
	if l.data == nil {
		l.data = []byte{} // an empty record; the SDK takes nil for a missing one
	}
	return types.PutRecordsRequestEntry{Data: l.data, PartitionKey: aws.String(key)}, nil
}

// fieldKey returns field of the JSON object in data as a partition key: a string as it is,
// any other value as its JSON text.
func fieldKey(data []byte, field string) (string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return "", fmt.Errorf("--key-field %s: not a JSON object: %w", field, err)
	}
	raw, ok := obj[field]
	if !ok || string(raw) == "null" {
		return "", fmt.Errorf("--key-field %s: no such field", field)
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return "", fmt.Errorf("--key-field %s: empty", field)
		}
		return s, nil
	}
	return string(raw), nil
}

// send puts the records of one batch, resending those refused (throttling, internal errors)
// until all are in or putRetries rounds have passed. Retried records keep their input order
// among themselves.
func (p *putter) send(ctx context.Context, entries []types.PutRecordsRequestEntry) error {
	if len(entries) == 0 {
		return nil
	}
	results := make([]types.PutRecordsResultEntry, len(entries))
	pending := make([]int, len(entries)) // indexes into entries still to put
	for i := range pending {
		pending[i] = i
	}
	for round := 0; len(pending) > 0; round++ {
		if round == putRetries {
			return fmt.Errorf("%d records still refused after %d tries, the last: %s: %s", len(pending), putRetries,
				aws.ToString(results[pending[0]].ErrorCode), aws.ToString(results[pending[0]].ErrorMessage))
		}
		if round > 0 {
			if err := pause(ctx, min(p.backoff()<<(round-1), time.Second)); err != nil {
				return err
			}
		}
		var err error
		if pending, err = p.putOnce(ctx, entries, pending, results); err != nil {
			return err
		}
	}
	queued := p.queued[:len(entries)]
	p.queued = p.queued[len(entries):]
	for i, q := range queued {
		p.stats.records += q.users
		if q.shard != "" && q.shard != aws.ToString(results[i].ShardId) {
			p.agg.stale = true // the stream was resharded since the shards were listed
		}
	}
	p.stats.kinesisRecords += len(entries)
	if p.cfg.print {
		for i, r := range results {
			p.printResult(r, queued[i].users)
		}
		return p.out.Flush()
	}
	return nil
}

// printResult prints where a Kinesis record carrying users user records went: its shard
// and sequence number, and with --aggregate a line for each user record with its
// sub-sequence number, as the KCL numbers them (0 for a record sent on its own).
func (p *putter) printResult(r types.PutRecordsResultEntry, users int) {
	if p.agg == nil {
		fmt.Fprintf(p.out, "%s %s\n", aws.ToString(r.ShardId), aws.ToString(r.SequenceNumber))
		return
	}
	for sub := range users {
		fmt.Fprintf(p.out, "%s %s %d\n", aws.ToString(r.ShardId), aws.ToString(r.SequenceNumber), sub)
	}
}

// putOnce sends the pending entries in one call, fills results, and returns those refused.
func (p *putter) putOnce(ctx context.Context, entries []types.PutRecordsRequestEntry, pending []int, results []types.PutRecordsResultEntry) ([]int, error) {
	req := make([]types.PutRecordsRequestEntry, len(pending))
	for i, j := range pending {
		req[i] = entries[j]
	}
	out, err := p.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(p.cfg.stream), Records: req})
	p.stats.calls++
	if err != nil {
		return nil, fmt.Errorf("PutRecords to %s: %w", p.cfg.stream, err)
	}
	if len(out.Records) != len(req) {
		return nil, fmt.Errorf("PutRecords to %s: %d results for %d records", p.cfg.stream, len(out.Records), len(req))
	}
	var again []int
	for i, r := range out.Records {
		results[pending[i]] = r
		if r.ErrorCode != nil {
			again = append(again, pending[i])
		}
	}
	return again, nil
}

// createStream is --create: it makes the stream unless it exists, waits until it is
// ACTIVE, and says so when a stream that was there has another shard count than --shards.
func createStream(ctx context.Context, kc *kinesis.Client, cfg putConfig) error {
	existed, err := ensureStream(ctx, kc, cfg.stream, cfg.shards)
	if err != nil || !existed || !cfg.shardsSet {
		return err
	}
	out, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(cfg.stream)})
	if err != nil {
		return fmt.Errorf("describe stream %s: %w", cfg.stream, err)
	}
	if n := int(aws.ToInt32(out.StreamDescriptionSummary.OpenShardCount)); n != cfg.shards {
		fmt.Fprintf(cfg.warn, "shardlog put: stream %s exists with %s; --shards %d is for a stream --create makes, and this one is left as it is\n",
			cfg.stream, plural(n, "open shard"), cfg.shards)
	}
	return nil
}

// ensureStream creates the stream unless it exists, and waits until it is ACTIVE. It
// reports whether the stream was there already.
func ensureStream(ctx context.Context, kc *kinesis.Client, name string, shards int) (existed bool, err error) {
	_, err = kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(int32(shards))})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return false, fmt.Errorf("create stream %s: %w", name, err)
	}
	w := kinesis.NewStreamExistsWaiter(kc, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, time.Second
	})
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 2*time.Minute); err != nil {
		return false, fmt.Errorf("wait for stream %s: %w", name, err)
	}
	return inUse != nil, nil
}

// pause waits for d or until ctx is done.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
