package streambackend_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// Resharding end to end: the AWS SDK for Go v2 against a real server and store, with a
// producer and a consumer at work while shards are split, merged and rescaled, and the
// server restarted in the middle of a reshard.

// reshardEnv is a store served over HTTP on 127.0.0.1 with an SDK client for it, which can
// be restarted (store closed and reopened on the same directory, new server, new client)
// while other goroutines use it: call holds off a restart for the length of one request.
type reshardEnv struct {
	t    testing.TB
	dir  string
	opts stream.Options

	mu     sync.RWMutex
	store  *stream.Store
	ts     *httptest.Server
	client *kinesis.Client
}

// newReshardEnv starts a store in a new directory, with the given UpdateDelay and shard
// limit, and no fsyncs (durability is not what these tests are about).
func newReshardEnv(t testing.TB, updateDelay time.Duration, shardLimit int) *reshardEnv {
	e := &reshardEnv{t: t, dir: t.TempDir(), opts: stream.Options{
		UpdateDelay: updateDelay,
		ShardLimit:  shardLimit,
		Shard:       shard.Options{Sync: shard.SyncNone, PreallocateBytes: 64 << 10},
		Logger:      discardLogger(),
	}}
	e.start()
	t.Cleanup(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.stop()
	})
	return e
}

// start opens the store and serves it. Called with mu held, or before e is shared.
func (e *reshardEnv) start() {
	st, err := stream.Open(e.dir, e.opts)
	require.NoError(e.t, err)
	e.store = st
	e.ts = httptest.NewServer(server.New(streambackend.New(st), server.Options{Logger: discardLogger()}))
	e.client = newSDKClient(e.ts.URL, e.ts.Client())
}

// stop closes the server and the store, if they are running. Called with mu held.
func (e *reshardEnv) stop() {
	if e.store == nil {
		return
	}
	e.ts.Close()
	require.NoError(e.t, e.store.Close())
	e.store, e.ts, e.client = nil, nil, nil
}

// restart closes the store and opens it again on the same directory, behind a new server.
func (e *reshardEnv) restart() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stop()
	e.start()
}

// call runs fn with the current client; a restart waits for it.
func (e *reshardEnv) call(fn func(c *kinesis.Client) error) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return fn(e.client)
}

// describeSummary returns the stream's summary.
func (e *reshardEnv) describeSummary(name string) *types.StreamDescriptionSummary {
	var out *kinesis.DescribeStreamSummaryOutput
	err := e.call(func(c *kinesis.Client) (err error) {
		out, err = c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		return err
	})
	require.NoError(e.t, err)
	return out.StreamDescriptionSummary
}

// waitActive polls the stream until it is ACTIVE.
func (e *reshardEnv) waitActive(name string) {
	deadline := time.Now().Add(10 * time.Second)
	for e.describeSummary(name).StreamStatus != types.StreamStatusActive {
		require.True(e.t, time.Now().Before(deadline), "stream %s not ACTIVE after 10s", name)
		time.Sleep(10 * time.Millisecond)
	}
}

// openShards returns the open shards of a stream in hash key order (ListShards AT_LATEST).
func (e *reshardEnv) openShards(name string) []types.Shard {
	var out *kinesis.ListShardsOutput
	err := e.call(func(c *kinesis.Client) (err error) {
		out, err = c.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(name),
			ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
		return err
	})
	require.NoError(e.t, err)
	shards := out.Shards
	slices.SortFunc(shards, func(a, b types.Shard) int {
		return bigOf(*a.HashKeyRange.StartingHashKey).Cmp(bigOf(*b.HashKeyRange.StartingHashKey))
	})
	return shards
}

func bigOf(decimal string) *big.Int {
	x, ok := new(big.Int).SetString(decimal, 10)
	if !ok {
		panic("not a decimal number: " + decimal)
	}
	return x
}

// producer writes records "key/i" over 16 partition keys, in PutRecords calls of 10,
// until stop is closed or it has written max records. Every record must succeed: writes go
// on through every reshard.
type producer struct {
	written map[string]int // records written per key, once done is closed
	total   int
	acked   atomic.Int64 // total, for others while the producer runs
	done    chan struct{}
	err     error
}

// awaitMore waits until the producer has had n more records acknowledged, or has stopped.
func (p *producer) awaitMore(t *testing.T, n int64) {
	t.Helper()
	want := p.acked.Load() + n
	require.Eventually(t, func() bool {
		select {
		case <-p.done:
			return true
		default:
			return p.acked.Load() >= want
		}
	}, 20*time.Second, time.Millisecond, "the producer's next %d records", n)
}

func startProducer(e *reshardEnv, name string, max int, stop <-chan struct{}) *producer {
	p := &producer{written: map[string]int{}, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.err = p.run(e, name, max, stop)
	}()
	return p
}

func (p *producer) run(e *reshardEnv, name string, max int, stop <-chan struct{}) error {
	for n := 0; p.total < max; n++ {
		select {
		case <-stop:
			return nil
		default:
		}
		var entries []types.PutRecordsRequestEntry
		for k := range 10 {
			key := fmt.Sprintf("key-%02d", (n*10+k)%16)
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(key),
				Data: []byte(key + "/" + strconv.Itoa(p.written[key]))})
			p.written[key]++
		}
		var out *kinesis.PutRecordsOutput
		err := e.call(func(c *kinesis.Client) (err error) {
			out, err = c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
			return err
		})
		if err != nil {
			return fmt.Errorf("PutRecords: %w", err)
		}
		if *out.FailedRecordCount != 0 {
			return fmt.Errorf("PutRecords: %d records failed: %s", *out.FailedRecordCount, *out.Records[0].ErrorMessage)
		}
		p.total += len(entries)
		p.acked.Store(int64(p.total))
		time.Sleep(3 * time.Millisecond)
	}
	return nil
}

// lineageConsumer reads a stream as the KCL does: it starts at the shards open at the trim
// horizon (ListShards AT_TRIM_HORIZON), polls every shard it may read with GetRecords, and
// learns of new shards only from ChildShards at the end of a closed one; it starts a child
// once every parent the child names has been read to its end. It checks, as records come,
// that each key's records arrive in order, once each, and that each shard's sequence
// numbers increase.
type lineageConsumer struct {
	e    *reshardEnv
	name string

	parents map[string][]string // every shard known, with the parents it names
	iters   map[string]*string  // the next iterator of each shard being read
	done    map[string]bool     // the shards read to their end
	lastSeq map[string]*big.Int // the last sequence number read from each shard
	next    map[string]int      // the next record due of each key
	read    int
}

func newLineageConsumer(e *reshardEnv, name string) (*lineageConsumer, error) {
	c := &lineageConsumer{e: e, name: name, parents: map[string][]string{}, iters: map[string]*string{},
		done: map[string]bool{}, lastSeq: map[string]*big.Int{}, next: map[string]int{}}
	var out *kinesis.ListShardsOutput
	err := e.call(func(cl *kinesis.Client) (err error) {
		out, err = cl.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(name),
			ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTrimHorizon}})
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, sh := range out.Shards {
		c.parents[*sh.ShardId] = nil
	}
	return c, nil
}

// poll makes one GetRecords call on every shard it may read, and returns how many records
// it read.
func (c *lineageConsumer) poll() (int, error) {
	n := 0
	for _, id := range slices.Sorted(maps.Keys(c.parents)) {
		if c.done[id] || slices.ContainsFunc(c.parents[id], func(p string) bool { return !c.done[p] }) {
			continue
		}
		got, err := c.pollShard(id)
		if err != nil {
			return n, fmt.Errorf("shard %s: %w", id, err)
		}
		n += got
	}
	return n, nil
}

// pollShard makes one GetRecords call on a shard.
func (c *lineageConsumer) pollShard(id string) (int, error) {
	ctx := context.Background()
	if c.iters[id] == nil {
		var it *kinesis.GetShardIteratorOutput
		err := c.e.call(func(cl *kinesis.Client) (err error) {
			it, err = cl.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(c.name), ShardId: aws.String(id),
				ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			return err
		})
		if err != nil {
			return 0, err
		}
		c.iters[id] = it.ShardIterator
	}
	var out *kinesis.GetRecordsOutput
	err := c.e.call(func(cl *kinesis.Client) (err error) {
		out, err = cl.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: c.iters[id], Limit: aws.Int32(100)})
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, r := range out.Records {
		if err := c.take(id, r); err != nil {
			return 0, err
		}
	}
	c.iters[id] = out.NextShardIterator
	if out.NextShardIterator == nil {
		c.done[id] = true
		for _, child := range out.ChildShards {
			if !slices.Contains(child.ParentShards, id) {
				return 0, fmt.Errorf("child %s does not name its parent %s", *child.ShardId, id)
			}
			c.parents[*child.ShardId] = child.ParentShards
		}
	} else if len(out.ChildShards) > 0 {
		return 0, errors.New("ChildShards before the end of the shard")
	}
	return len(out.Records), nil
}

// take checks one record and counts it.
func (c *lineageConsumer) take(id string, r types.Record) error {
	seq := bigOf(*r.SequenceNumber)
	if last := c.lastSeq[id]; last != nil && seq.Cmp(last) <= 0 {
		return fmt.Errorf("sequence number %s after %s", seq, last)
	}
	c.lastSeq[id] = seq
	key, num, _ := strings.Cut(string(r.Data), "/")
	if key != *r.PartitionKey {
		return fmt.Errorf("record %q under partition key %s", r.Data, *r.PartitionKey)
	}
	if i, err := strconv.Atoi(num); err != nil || i != c.next[key] {
		return fmt.Errorf("key %s: record %q read when %d was due", key, r.Data, c.next[key])
	}
	c.next[key]++
	c.read++
	return nil
}

// readUntil polls until it has read every record: want returns how many there are, and
// false while that is not known yet. It gives up after 20 seconds.
func (c *lineageConsumer) readUntil(want func() (int, bool)) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := c.poll()
		if err != nil {
			return err
		}
		if total, final := want(); final && c.read == total {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("read %d records in 20s", c.read)
		}
		if n == 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
}

// reshardStep is one reshard the load test makes.
type reshardStep func(e *reshardEnv, r *rand.Rand, name string) (string, error)

func splitRandom(e *reshardEnv, r *rand.Rand, name string) (string, error) {
	shards := e.openShards(name)
	sh := shards[r.IntN(len(shards))]
	start, end := bigOf(*sh.HashKeyRange.StartingHashKey), bigOf(*sh.HashKeyRange.EndingHashKey)
	width := new(big.Int).Sub(end, start)
	key := new(big.Int).Mul(width, big.NewInt(int64(1+r.IntN(1000))))
	key.Div(key, big.NewInt(1001)).Add(key, start)
	return "SplitShard " + *sh.ShardId + " at " + key.String(), e.call(func(c *kinesis.Client) error {
		_, err := c.SplitShard(context.Background(), &kinesis.SplitShardInput{StreamName: aws.String(name),
			ShardToSplit: sh.ShardId, NewStartingHashKey: aws.String(key.String())})
		return err
	})
}

func mergeRandom(e *reshardEnv, r *rand.Rand, name string) (string, error) {
	shards := e.openShards(name)
	i := r.IntN(len(shards) - 1)
	a, b := shards[i].ShardId, shards[i+1].ShardId
	return "MergeShards " + *a + " " + *b, e.call(func(c *kinesis.Client) error {
		_, err := c.MergeShards(context.Background(), &kinesis.MergeShardsInput{StreamName: aws.String(name),
			ShardToMerge: a, AdjacentShardToMerge: b})
		return err
	})
}

// scaleRandom returns a step that rescales the stream up (to more than it has, up to twice)
// or down (to fewer, down to half).
func scaleRandom(up bool) reshardStep {
	return func(e *reshardEnv, r *rand.Rand, name string) (string, error) {
		n := len(e.openShards(name))
		target := (n+1)/2 + r.IntN(n-(n+1)/2) // [ceil(n/2), n)
		if up {
			target = n + 1 + r.IntN(n) // (n, 2n]
		}
		return fmt.Sprintf("UpdateShardCount %d to %d", n, target), e.call(func(c *kinesis.Client) error {
			out, err := c.UpdateShardCount(context.Background(), &kinesis.UpdateShardCountInput{StreamName: aws.String(name),
				TargetShardCount: aws.Int32(int32(target)), ScalingType: types.ScalingTypeUniformScaling})
			if err == nil && (*out.CurrentShardCount != int32(n) || *out.TargetShardCount != int32(target)) {
				err = fmt.Errorf("UpdateShardCount answered %d to %d", *out.CurrentShardCount, *out.TargetShardCount)
			}
			return err
		})
	}
}

// TestSDK_ReshardUnderLoad splits, merges and scales a stream up and down through the SDK
// while a producer writes and a consumer that follows the lineage reads: every write
// succeeds, and the consumer gets every record once, in order per partition key. The
// "restart" variant closes and reopens the store, behind a new server, right after the
// split and the scaling up are requested, while the stream is UPDATING.
func TestSDK_ReshardUnderLoad(t *testing.T) {
	for _, tt := range []struct {
		name    string
		restart bool
		delay   time.Duration // UpdateDelay
	}{{"live", false, 150 * time.Millisecond}, {"restart", true, 300 * time.Millisecond}} {
		restart := tt.restart
		t.Run(tt.name, func(t *testing.T) {
			if restart && testing.Short() {
				t.Skip("the restart variant runs without -short")
			}
			r := rand.New(rand.NewPCG(testutil.Seed(t), 1))
			e := newReshardEnv(t, tt.delay, 0)
			const name = "load"
			require.NoError(t, e.call(func(c *kinesis.Client) error {
				_, err := c.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(2)})
				return err
			}))
			e.waitActive(name)
			consumer, err := newLineageConsumer(e, name)
			require.NoError(t, err)
			stop := make(chan struct{})
			p := startProducer(e, name, 6000, stop)

			steps := []struct {
				step    reshardStep
				restart bool
			}{
				{splitRandom, restart},
				{mergeRandom, false},
				{scaleRandom(true), restart},
				{scaleRandom(false), false},
			}
			consumed := make(chan error, 1)
			var stepErr error
			go func() {
				// The consumer reads while the reshards happen, and until it has every record.
				consumed <- consumer.readUntil(func() (int, bool) {
					select {
					case <-p.done:
						return p.total, true
					default:
						return 0, false
					}
				})
			}()
			for _, s := range steps {
				p.awaitMore(t, 100) // records for the layout before
				requested := time.Now()
				desc, err := s.step(e, r, name)
				t.Log(desc)
				if err != nil {
					stepErr = fmt.Errorf("%s: %w", desc, err)
					break
				}
				if s.restart {
					e.restart()
					status := e.describeSummary(name).StreamStatus
					if time.Since(requested) < tt.delay { // else the machine was too slow to tell
						require.Equal(t, types.StreamStatusUpdating, status, "restarted in the middle of the reshard")
					}
				}
				e.waitActive(name)
			}
			p.awaitMore(t, 100) // records for the last layout
			close(stop)
			<-p.done
			require.NoError(t, stepErr)
			require.NoError(t, p.err)
			require.NoError(t, <-consumed)
			t.Logf("%d records over %d shards", p.total, len(consumer.parents))
			require.Equal(t, p.total, consumer.read)
			for key, n := range p.written {
				require.Equal(t, n, consumer.next[key], "key %s", key)
			}
			requireLineageListed(t, e, name, len(e.openShards(name)))
		})
	}
}

// requireLineageListed checks what DescribeStream, DescribeStreamSummary and ListShards say
// of a resharded stream: every shard ever made is listed, closed ones with an
// EndingSequenceNumber below every StartingSequenceNumber of their children, which name
// them; the summary counts the open shards only.
func requireLineageListed(t testing.TB, e *reshardEnv, name string, open int) {
	t.Helper()
	var desc *kinesis.DescribeStreamOutput
	var list *kinesis.ListShardsOutput
	require.NoError(t, e.call(func(c *kinesis.Client) (err error) {
		if desc, err = c.DescribeStream(context.Background(), &kinesis.DescribeStreamInput{StreamName: aws.String(name)}); err != nil {
			return err
		}
		list, err = c.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(name)})
		return err
	}))
	shards := desc.StreamDescription.Shards
	require.False(t, *desc.StreamDescription.HasMoreShards)
	require.Equal(t, shards, list.Shards, "DescribeStream and ListShards list the same shards")
	require.Equal(t, int32(open), *e.describeSummary(name).OpenShardCount)
	byID := map[string]types.Shard{}
	closed := 0
	for i, sh := range shards {
		require.Equal(t, fmt.Sprintf("shardId-%012d", i), *sh.ShardId, "shard ids are allocated in order, none skipped")
		byID[*sh.ShardId] = sh
		if sh.SequenceNumberRange.EndingSequenceNumber != nil {
			closed++
		}
		for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
			if p == nil {
				continue
			}
			parent, ok := byID[*p]
			require.True(t, ok, "%s names %s, listed after it", *sh.ShardId, *p)
			require.NotNil(t, parent.SequenceNumberRange.EndingSequenceNumber, "parent %s closed", *p)
			require.Equal(t, 1, bigOf(*sh.SequenceNumberRange.StartingSequenceNumber).Cmp(bigOf(*parent.SequenceNumberRange.EndingSequenceNumber)),
				"%s starts after its parent %s ends", *sh.ShardId, *p)
		}
	}
	require.Equal(t, open, len(shards)-closed)
}

// TestSDK_ReshardRestartKeepsIterators restarts the server in the middle of a rescaling,
// with a consumer holding iterators on the parents: the iterators go on working after the
// restart, the reshard completes, and the consumer reads every record once, in order per
// key, following the lineage.
func TestSDK_ReshardRestartKeepsIterators(t *testing.T) {
	e := newReshardEnv(t, 300*time.Millisecond, 0)
	const name = "restart"
	ctx := context.Background()
	require.NoError(t, e.call(func(c *kinesis.Client) error {
		_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(3)})
		return err
	}))
	write := func(p *producer, n int) {
		t.Helper()
		require.NoError(t, p.run(e, name, p.total+n, nil))
	}
	p := &producer{written: map[string]int{}}
	write(p, 200)
	consumer, err := newLineageConsumer(e, name)
	require.NoError(t, err)
	_, err = consumer.poll() // iterators on the parents, some records read
	require.NoError(t, err)
	require.Positive(t, consumer.read)

	step := scaleRandom(true)
	desc, err := step(e, rand.New(rand.NewPCG(testutil.Seed(t), 2)), name)
	require.NoError(t, err, desc)
	t.Log(desc)
	write(p, 100) // to the parents, the stream UPDATING
	e.restart()
	write(p, 100)
	e.waitActive(name)
	write(p, 100) // to the children
	require.NoError(t, consumer.readUntil(func() (int, bool) { return p.total, true }))
	for key, n := range p.written {
		require.Equal(t, n, consumer.next[key], "key %s", key)
	}
	requireLineageListed(t, e, name, len(e.openShards(name)))
}

// sdkErrorCase is a request and the error it must get.
type sdkErrorCase struct {
	name      string
	call      func(c *kinesis.Client) error
	code, msg string
}

// Requests of the resharding operations, for the error tests.

func splitCall(stream, shard, key string) func(c *kinesis.Client) error {
	return func(c *kinesis.Client) error {
		_, err := c.SplitShard(context.Background(), &kinesis.SplitShardInput{StreamName: aws.String(stream), ShardToSplit: aws.String(shard),
			NewStartingHashKey: aws.String(key)})
		return err
	}
}

func mergeCall(stream, a, b string) func(c *kinesis.Client) error {
	return func(c *kinesis.Client) error {
		_, err := c.MergeShards(context.Background(), &kinesis.MergeShardsInput{StreamName: aws.String(stream), ShardToMerge: aws.String(a),
			AdjacentShardToMerge: aws.String(b)})
		return err
	}
}

func scaleCall(stream string, target int32, scaling types.ScalingType) func(c *kinesis.Client) error {
	return func(c *kinesis.Client) error {
		_, err := c.UpdateShardCount(context.Background(), &kinesis.UpdateShardCountInput{StreamName: aws.String(stream),
			TargetShardCount: aws.Int32(target), ScalingType: scaling})
		return err
	}
}

func createCall(stream string, shards int32) func(c *kinesis.Client) error {
	return func(c *kinesis.Client) error {
		_, err := c.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(shards)})
		return err
	}
}

// inStream is the "in stream <name> under account <acct>" of the messages.
func inStream(stream string) string { return " in stream " + stream + " under account 000000000000" }

// TestSDK_ReshardErrors sends invalid resharding requests through the SDK and checks their
// exact error types and messages, with streams at the account's shard limit and one
// UPDATING.
func TestSDK_ReshardErrors(t *testing.T) {
	e := newReshardEnv(t, time.Hour, 9)
	require.NoError(t, e.call(createCall("s", 2)))
	require.NoError(t, e.call(createCall("u", 2)))
	require.NoError(t, e.call(createCall("w", 4)))
	require.NoError(t, e.call(splitCall("u", "shardId-000000000000", "1000"))) // u is UPDATING for an hour, and holds 3 shards
	limit := func(added int) string {
		return "This request would exceed the shard limit for the account 000000000000 in us-east-1. Current shard count for the account: 9. " +
			"Limit: 9. Number of additional shards that would have resulted from this request: " + strconv.Itoa(added) +
			". Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) " +
			"for current limits and how to request higher limits."
	}
	notAdjacent := func(a, b string) string {
		return "Shards " + a + " and " + b + inStream("s") + " are not an adjacent pair of shards eligible for merging"
	}
	inUse := "Stream u under account 000000000000 not ACTIVE, instead in state UPDATING"
	tests := []sdkErrorCase{
		{"split: no stream", splitCall("x", "shardId-0", "5"), "ResourceNotFoundException", "Stream x under account 000000000000 not found."},
		{"split: bad shard id", splitCall("s", "bad", "5"), "ResourceNotFoundException", "Could not find shard bad" + inStream("s") + "."},
		{"split: no shard", splitCall("s", "shardId-9", "5"), "ResourceNotFoundException", "Could not find shard shardId-000000000009" + inStream("s") + "."},
		{"split: over the shard limit", splitCall("s", "shardId-1", "5"), "LimitExceededException", limit(1)},
		{"split: key not a number", splitCall("s", "shardId-1", "x5"), "ValidationException", "1 validation error detected: Value 'x5' at " +
			"'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})"},
		{"merge: reversed", mergeCall("s", "shardId-1", "shardId-0"), "InvalidArgumentException", notAdjacent("shardId-000000000001", "shardId-000000000000")},
		{"merge: itself", mergeCall("s", "shardId-1", "shardId-1"), "InvalidArgumentException", notAdjacent("shardId-000000000001", "shardId-000000000001")},
		{"merge: no shard", mergeCall("s", "shardId-0", "shardId-7"), "ResourceNotFoundException", "Could not find shard shardId-000000000007" + inStream("s") + "."},
		{"merge: updating", mergeCall("u", "shardId-0", "shardId-1"), "ResourceInUseException", inUse},
		{"scale: updating", scaleCall("u", 3, types.ScalingTypeUniformScaling), "ResourceInUseException", inUse},
		{"scale: over double", scaleCall("w", 9, types.ScalingTypeUniformScaling), "InvalidArgumentException", "Cannot update shard count beyond 2x current shard count"},
		{"scale: under half", scaleCall("w", 1, types.ScalingTypeUniformScaling), "InvalidArgumentException", "Cannot update shard count below 50% of the current shard count"},
		{"scale: over 10000", scaleCall("w", 10001, types.ScalingTypeUniformScaling), "InvalidArgumentException", "Cannot scale a stream beyond 10000 shards"},
		{"scale: over the shard limit", scaleCall("s", 4, types.ScalingTypeUniformScaling), "LimitExceededException", limit(2)},
		{"scale: zero", scaleCall("s", 0, types.ScalingTypeUniformScaling), "ValidationException", "1 validation error detected: Value '0' at " +
			"'targetShardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"scale: scaling type", scaleCall("s", 2, "EVEN"), "ValidationException", "1 validation error detected: Value 'EVEN' at " +
			"'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]"},
		{"create: over the shard limit", createCall("z", 1), "LimitExceededException", limit(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireSDKError(t, e.call(tt.call), tt.code, tt.msg)
		})
	}
}

// TestSDK_SplitShard_HashKeyOutside checks SplitShard's refusal of every NewStartingHashKey
// that is not both greater than one plus the shard's StartingHashKey and less than its
// EndingHashKey, and of a shard already split.
func TestSDK_SplitShard_HashKeyOutside(t *testing.T) {
	e := newReshardEnv(t, 0, 0)
	require.NoError(t, e.call(createCall("s", 2)))
	const half = "170141183460469231731687303715884105728" // 2^127, where shard 1 of 2 starts
	const maxKey = "340282366920938463463374607431768211455"
	var tests []sdkErrorCase
	for _, key := range []string{"0", "1", half, "170141183460469231731687303715884105729", maxKey} {
		tests = append(tests, sdkErrorCase{"key " + key, splitCall("s", "shardId-1", key), "InvalidArgumentException",
			"NewStartingHashKey " + key + " used in SplitShard() on shard shardId-000000000001" + inStream("s") +
				" is not both greater than one plus the shard's StartingHashKey " + half + " and less than the shard's EndingHashKey " + maxKey + "."})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireSDKError(t, e.call(tt.call), tt.code, tt.msg)
		})
	}
	require.NoError(t, e.call(splitCall("s", "shardId-1", "170141183460469231731687303715884105730")))
	requireSDKError(t, e.call(splitCall("s", "shardId-1", "170141183460469231731687303715884105740")), "InvalidArgumentException",
		"Shard shardId-000000000001"+inStream("s")+" has already been merged or split, and thus is not eligible for merging or splitting.")
	requireSDKError(t, e.call(mergeCall("s", "shardId-0", "shardId-1")), "InvalidArgumentException",
		"Shard shardId-000000000001"+inStream("s")+" has already been merged or split, and thus is not eligible for merging or splitting.")
}

// TestSDK_UpdateShardCount_TenADay checks that an eleventh scaling within 24 hours is
// refused.
func TestSDK_UpdateShardCount_TenADay(t *testing.T) {
	e := newReshardEnv(t, 0, 0)
	require.NoError(t, e.call(createCall("s", 1)))
	for i := range 10 {
		require.NoError(t, e.call(scaleCall("s", int32(1+(i+1)%2), types.ScalingTypeUniformScaling)), "scaling %d", i+1)
	}
	requireSDKError(t, e.call(scaleCall("s", 2, types.ScalingTypeUniformScaling)), "LimitExceededException",
		"Cannot run UpdateShardCount more than 10 times in a 24 hour period")
	requireLineageListed(t, e, "s", 1)
}
