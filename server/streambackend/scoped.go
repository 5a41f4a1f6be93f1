package streambackend

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/shardlog/shardlog/internal/metrics"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/stream"
)

// MaxScopes is how many accounts and regions one Scoped serves. Each is a stream.Store,
// with a lock, a maintenance goroutine and a directory; the bound keeps clients that sign
// for ever new regions (or keys that look like account ids) from opening stores without
// end. A request for one more scope is a LimitExceededException.
const MaxScopes = 256

// Scoped is the Backend of a data directory that keeps the streams of each account in each
// region apart, as AWS does: every operation runs on the stream.Store of the request's
// account and region (server.ScopeFrom). The default account and region (Options.Account
// and Options.Region given to Open) are the Store at the root of the data directory, so a
// data directory of a server that served only them reads as it always did; every other
// account and region has a Store in stream.ScopeDirOf(dataDir, account, region), opened at
// Open if it is on disk, and made on its first request otherwise.
//
// A Scoped is safe for concurrent use. It owns its Stores: Close closes them all.
type Scoped struct {
	dir       string
	opts      stream.Options // the root's, Account and Region filled in
	root      *backend
	defaultOf server.Scope                              // the default account and region
	stores    atomic.Pointer[map[server.Scope]*backend] // the others; replaced under mu
	mu        sync.Mutex                                // held while a Store is opened, and by Close
	closed    bool                                      // under mu
	maxScopes int                                       // MaxScopes; fewer in tests
	metrics   *metrics.Metrics                          // CountInto's, under mu; nil when not counting
}

// Open opens the Store of the default account and region in dataDir (stream.Open) and the
// Store of every other account and region found beneath it (stream.ScopeDirs), so that
// their retention and status changes go on whether or not they are asked for. opts apply
// to every Store, each with its own Account and Region; a Gate in opts is shared.
func Open(dataDir string, opts stream.Options) (*Scoped, error) {
	opts.Account = cmp.Or(opts.Account, stream.DefaultAccount)
	opts.Region = cmp.Or(opts.Region, stream.DefaultRegion)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	root, err := stream.Open(dataDir, opts)
	if err != nil {
		return nil, err
	}
	m := &Scoped{dir: dataDir, opts: opts, root: &backend{store: root},
		defaultOf: server.Scope{Account: opts.Account, Region: opts.Region}, maxScopes: MaxScopes}
	m.stores.Store(&map[server.Scope]*backend{})
	if err := m.openFound(); err != nil {
		return nil, errors.Join(err, m.Close())
	}
	return m, nil
}

// openFound opens the Store of every scope directory on disk.
func (m *Scoped) openFound() error {
	dirs, err := stream.ScopeDirs(m.dir)
	if err != nil {
		return fmt.Errorf("streambackend: list the accounts and regions of %s: %w", m.dir, err)
	}
	for _, d := range dirs {
		if _, err := m.open(server.Scope{Account: d.Account, Region: d.Region}); err != nil {
			return err
		}
	}
	return nil
}

// Close closes every Store, the root's last. Operations in flight finish; later ones, and
// later scopes, get stream.ErrClosed.
func (m *Scoped) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return stream.ErrClosed
	}
	m.closed = true
	var errs []error
	for _, b := range *m.stores.Load() {
		errs = append(errs, b.store.Close())
	}
	errs = append(errs, m.root.store.Close())
	return errors.Join(errs...)
}

// StreamCount counts the streams of every account and region whose Store is open.
func (m *Scoped) StreamCount() (int, error) {
	n, err := m.root.store.StreamCount()
	for _, b := range *m.stores.Load() {
		k, kerr := b.store.StreamCount()
		n, err = n+k, errors.Join(err, kerr)
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Recovery sums what the Stores of every account and region open so far recovered when
// they were opened: Open opens those it finds on disk, one after the other.
func (m *Scoped) Recovery() stream.Recovery {
	r := m.root.store.Recovery()
	for _, b := range *m.stores.Load() {
		o := b.store.Recovery()
		r.Clean = r.Clean && o.Clean
		r.Streams += o.Streams
		r.Shards += o.Shards
		r.ScannedSegments += o.ScannedSegments
		r.ScannedBytes += o.ScannedBytes
		r.TornTails += o.TornTails
		r.DroppedBytes += o.DroppedBytes
		r.Quarantined += o.Quarantined
		r.Took += o.Took
	}
	return r
}

// Store returns the Store of an account and region ("" for the default), opening it if it
// is not open yet.
func (m *Scoped) Store(sc server.Scope) (*stream.Store, error) {
	b, err := m.backendOf(sc)
	if err != nil {
		return nil, err
	}
	return b.store, nil
}

// backend returns the Backend of the request ctx belongs to.
func (m *Scoped) backend(ctx context.Context) (*backend, error) {
	return m.backendOf(server.ScopeFrom(ctx))
}

// backendOf returns the Backend of sc, opening its Store on first use.
func (m *Scoped) backendOf(sc server.Scope) (*backend, error) {
	sc = server.Scope{Account: cmp.Or(sc.Account, m.defaultOf.Account), Region: cmp.Or(sc.Region, m.defaultOf.Region)}
	if sc == m.defaultOf {
		return m.root, nil
	}
	if b := (*m.stores.Load())[sc]; b != nil {
		return b, nil
	}
	return m.open(sc)
}

// open opens the Store of sc, unless another call has, and adds it to the map.
func (m *Scoped) open(sc server.Scope) (*backend, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	stores := *m.stores.Load()
	switch {
	case m.closed:
		return nil, stream.ErrClosed
	case stores[sc] != nil:
		return stores[sc], nil
	case len(stores) >= m.maxScopes:
		return nil, &kinesis.Error{Type: kinesis.TypeLimitExceeded, Message: "This server already serves " +
			strconv.Itoa(m.maxScopes) + " accounts and regions besides its default one; account " + sc.Account +
			" in " + sc.Region + " would be one more."}
	}
	opts := m.opts
	opts.Account, opts.Region = sc.Account, sc.Region
	opts.Logger = m.opts.Logger.With("account", sc.Account, "region", sc.Region)
	s, err := stream.Open(stream.ScopeDirOf(m.dir, sc.Account, sc.Region), opts)
	if err != nil {
		return nil, fmt.Errorf("streambackend: account %s in %s: %w", sc.Account, sc.Region, err)
	}
	b := &backend{store: s}
	if m.metrics != nil {
		b.counts = m.metrics.Scope(sc.Account, sc.Region)
	}
	next := maps.Clone(stores)
	next[sc] = b
	m.stores.Store(&next)
	return b, nil
}

// on runs op on the Backend of the request ctx belongs to.
func on[I, O any](ctx context.Context, m *Scoped, in I, op func(*backend, context.Context, I) (O, error)) (O, error) {
	b, err := m.backend(ctx)
	if err != nil {
		var zero O
		return zero, err
	}
	return op(b, ctx, in)
}

// CheckStreamARN checks arn against the streams of the request's account and region: an
// ARN of another account or region names no stream here (server.StreamARNChecker).
func (m *Scoped) CheckStreamARN(ctx context.Context, arn string) error {
	b, err := m.backend(ctx)
	if err != nil {
		return err
	}
	return b.CheckStreamARN(ctx, arn)
}

// The operations, each on the Store of the request's account and region.

func (m *Scoped) CreateStream(ctx context.Context, in *server.CreateStreamInput) (*server.CreateStreamOutput, error) {
	return on(ctx, m, in, (*backend).CreateStream)
}

func (m *Scoped) DeleteStream(ctx context.Context, in *server.DeleteStreamInput) (*server.DeleteStreamOutput, error) {
	return on(ctx, m, in, (*backend).DeleteStream)
}

func (m *Scoped) DescribeStream(ctx context.Context, in *server.DescribeStreamInput) (*server.DescribeStreamOutput, error) {
	return on(ctx, m, in, (*backend).DescribeStream)
}

func (m *Scoped) DescribeStreamSummary(ctx context.Context, in *server.DescribeStreamSummaryInput) (*server.DescribeStreamSummaryOutput, error) {
	return on(ctx, m, in, (*backend).DescribeStreamSummary)
}

func (m *Scoped) ListStreams(ctx context.Context, in *server.ListStreamsInput) (*server.ListStreamsOutput, error) {
	return on(ctx, m, in, (*backend).ListStreams)
}

func (m *Scoped) ListShards(ctx context.Context, in *server.ListShardsInput) (*server.ListShardsOutput, error) {
	return on(ctx, m, in, (*backend).ListShards)
}

func (m *Scoped) PutRecord(ctx context.Context, in *server.PutRecordInput) (*server.PutRecordOutput, error) {
	return on(ctx, m, in, (*backend).PutRecord)
}

func (m *Scoped) PutRecords(ctx context.Context, in *server.PutRecordsInput) (*server.PutRecordsOutput, error) {
	return on(ctx, m, in, (*backend).PutRecords)
}

// PutRecordsBase64 is PutRecords with each record's Data as base64 text (server.Base64Putter).
func (m *Scoped) PutRecordsBase64(ctx context.Context, in *server.PutRecordsInput) (*server.PutRecordsOutput, error) {
	return on(ctx, m, in, (*backend).PutRecordsBase64)
}

func (m *Scoped) GetShardIterator(ctx context.Context, in *server.GetShardIteratorInput) (*server.GetShardIteratorOutput, error) {
	return on(ctx, m, in, (*backend).GetShardIterator)
}

func (m *Scoped) GetRecords(ctx context.Context, in *server.GetRecordsInput, sink server.RecordSink) (*server.GetRecordsOutput, error) {
	b, err := m.backend(ctx)
	if err != nil {
		return nil, err
	}
	return b.GetRecords(ctx, in, sink)
}

func (m *Scoped) IncreaseStreamRetentionPeriod(ctx context.Context, in *server.IncreaseStreamRetentionPeriodInput) (*server.IncreaseStreamRetentionPeriodOutput, error) {
	return on(ctx, m, in, (*backend).IncreaseStreamRetentionPeriod)
}

func (m *Scoped) DecreaseStreamRetentionPeriod(ctx context.Context, in *server.DecreaseStreamRetentionPeriodInput) (*server.DecreaseStreamRetentionPeriodOutput, error) {
	return on(ctx, m, in, (*backend).DecreaseStreamRetentionPeriod)
}

func (m *Scoped) AddTagsToStream(ctx context.Context, in *server.AddTagsToStreamInput) (*server.AddTagsToStreamOutput, error) {
	return on(ctx, m, in, (*backend).AddTagsToStream)
}

func (m *Scoped) RemoveTagsFromStream(ctx context.Context, in *server.RemoveTagsFromStreamInput) (*server.RemoveTagsFromStreamOutput, error) {
	return on(ctx, m, in, (*backend).RemoveTagsFromStream)
}

func (m *Scoped) ListTagsForStream(ctx context.Context, in *server.ListTagsForStreamInput) (*server.ListTagsForStreamOutput, error) {
	return on(ctx, m, in, (*backend).ListTagsForStream)
}

func (m *Scoped) TagResource(ctx context.Context, in *server.TagResourceInput) (*server.TagResourceOutput, error) {
	return on(ctx, m, in, (*backend).TagResource)
}

func (m *Scoped) UntagResource(ctx context.Context, in *server.UntagResourceInput) (*server.UntagResourceOutput, error) {
	return on(ctx, m, in, (*backend).UntagResource)
}

func (m *Scoped) ListTagsForResource(ctx context.Context, in *server.ListTagsForResourceInput) (*server.ListTagsForResourceOutput, error) {
	return on(ctx, m, in, (*backend).ListTagsForResource)
}

func (m *Scoped) DescribeLimits(ctx context.Context, in *server.DescribeLimitsInput) (*server.DescribeLimitsOutput, error) {
	return on(ctx, m, in, (*backend).DescribeLimits)
}

func (m *Scoped) SplitShard(ctx context.Context, in *server.SplitShardInput) (*server.SplitShardOutput, error) {
	return on(ctx, m, in, (*backend).SplitShard)
}

func (m *Scoped) MergeShards(ctx context.Context, in *server.MergeShardsInput) (*server.MergeShardsOutput, error) {
	return on(ctx, m, in, (*backend).MergeShards)
}

func (m *Scoped) UpdateShardCount(ctx context.Context, in *server.UpdateShardCountInput) (*server.UpdateShardCountOutput, error) {
	return on(ctx, m, in, (*backend).UpdateShardCount)
}

func (m *Scoped) PutResourcePolicy(ctx context.Context, in *server.PutResourcePolicyInput) (*server.PutResourcePolicyOutput, error) {
	return on(ctx, m, in, (*backend).PutResourcePolicy)
}

func (m *Scoped) GetResourcePolicy(ctx context.Context, in *server.GetResourcePolicyInput) (*server.GetResourcePolicyOutput, error) {
	return on(ctx, m, in, (*backend).GetResourcePolicy)
}

func (m *Scoped) DeleteResourcePolicy(ctx context.Context, in *server.DeleteResourcePolicyInput) (*server.DeleteResourcePolicyOutput, error) {
	return on(ctx, m, in, (*backend).DeleteResourcePolicy)
}

func (m *Scoped) UpdateMaxRecordSize(ctx context.Context, in *server.UpdateMaxRecordSizeInput) (*server.UpdateMaxRecordSizeOutput, error) {
	return on(ctx, m, in, (*backend).UpdateMaxRecordSize)
}

func (m *Scoped) DescribeAccountSettings(ctx context.Context, in *server.DescribeAccountSettingsInput) (*server.DescribeAccountSettingsOutput, error) {
	return on(ctx, m, in, (*backend).DescribeAccountSettings)
}

func (m *Scoped) UpdateAccountSettings(ctx context.Context, in *server.UpdateAccountSettingsInput) (*server.UpdateAccountSettingsOutput, error) {
	return on(ctx, m, in, (*backend).UpdateAccountSettings)
}

func (m *Scoped) UpdateStreamWarmThroughput(ctx context.Context, in *server.UpdateStreamWarmThroughputInput) (*server.UpdateStreamWarmThroughputOutput, error) {
	return on(ctx, m, in, (*backend).UpdateStreamWarmThroughput)
}

func (m *Scoped) UpdateStreamRecordDistributionStrategy(ctx context.Context, in *server.UpdateStreamRecordDistributionStrategyInput) (*server.UpdateStreamRecordDistributionStrategyOutput, error) {
	return on(ctx, m, in, (*backend).UpdateStreamRecordDistributionStrategy)
}

func (m *Scoped) UpdateStreamMode(ctx context.Context, in *server.UpdateStreamModeInput) (*server.UpdateStreamModeOutput, error) {
	return on(ctx, m, in, (*backend).UpdateStreamMode)
}

func (m *Scoped) StartStreamEncryption(ctx context.Context, in *server.StartStreamEncryptionInput) (*server.StartStreamEncryptionOutput, error) {
	return on(ctx, m, in, (*backend).StartStreamEncryption)
}

func (m *Scoped) StopStreamEncryption(ctx context.Context, in *server.StopStreamEncryptionInput) (*server.StopStreamEncryptionOutput, error) {
	return on(ctx, m, in, (*backend).StopStreamEncryption)
}

func (m *Scoped) EnableEnhancedMonitoring(ctx context.Context, in *server.EnableEnhancedMonitoringInput) (*server.EnhancedMonitoringOutput, error) {
	return on(ctx, m, in, (*backend).EnableEnhancedMonitoring)
}

func (m *Scoped) DisableEnhancedMonitoring(ctx context.Context, in *server.DisableEnhancedMonitoringInput) (*server.EnhancedMonitoringOutput, error) {
	return on(ctx, m, in, (*backend).DisableEnhancedMonitoring)
}

func (m *Scoped) RegisterStreamConsumer(ctx context.Context, in *server.RegisterStreamConsumerInput) (*server.RegisterStreamConsumerOutput, error) {
	return on(ctx, m, in, (*backend).RegisterStreamConsumer)
}

func (m *Scoped) DescribeStreamConsumer(ctx context.Context, in *server.DescribeStreamConsumerInput) (*server.DescribeStreamConsumerOutput, error) {
	return on(ctx, m, in, (*backend).DescribeStreamConsumer)
}

func (m *Scoped) ListStreamConsumers(ctx context.Context, in *server.ListStreamConsumersInput) (*server.ListStreamConsumersOutput, error) {
	return on(ctx, m, in, (*backend).ListStreamConsumers)
}

func (m *Scoped) DeregisterStreamConsumer(ctx context.Context, in *server.DeregisterStreamConsumerInput) (*server.DeregisterStreamConsumerOutput, error) {
	return on(ctx, m, in, (*backend).DeregisterStreamConsumer)
}

func (m *Scoped) CreateQueue(ctx context.Context, in *server.CreateQueueInput) (*server.CreateQueueOutput, error) {
	return on(ctx, m, in, (*backend).CreateQueue)
}

func (m *Scoped) DescribeQueue(ctx context.Context, in *server.DescribeQueueInput) (*server.DescribeQueueOutput, error) {
	return on(ctx, m, in, (*backend).DescribeQueue)
}

func (m *Scoped) ListQueues(ctx context.Context, in *server.ListQueuesInput) (*server.ListQueuesOutput, error) {
	return on(ctx, m, in, (*backend).ListQueues)
}

func (m *Scoped) UpdateQueue(ctx context.Context, in *server.UpdateQueueInput) (*server.UpdateQueueOutput, error) {
	return on(ctx, m, in, (*backend).UpdateQueue)
}

func (m *Scoped) DeleteQueue(ctx context.Context, in *server.DeleteQueueInput) (*server.DeleteQueueOutput, error) {
	return on(ctx, m, in, (*backend).DeleteQueue)
}

func (m *Scoped) ReceiveQueueRecords(ctx context.Context, in *server.ReceiveQueueRecordsInput) (*server.ReceiveQueueRecordsOutput, error) {
	return on(ctx, m, in, (*backend).ReceiveQueueRecords)
}

func (m *Scoped) AcknowledgeQueueRecords(ctx context.Context, in *server.QueueReceiptsInput) (*server.QueueRecordsOutput, error) {
	return on(ctx, m, in, (*backend).AcknowledgeQueueRecords)
}

func (m *Scoped) UpdateQueueRecordsVisibility(ctx context.Context, in *server.QueueVisibilityInput) (*server.QueueRecordsOutput, error) {
	return on(ctx, m, in, (*backend).UpdateQueueRecordsVisibility)
}

func (m *Scoped) ReceiveDeadLetterQueueRecords(ctx context.Context, in *server.ReceiveQueueRecordsInput) (*server.ReceiveQueueRecordsOutput, error) {
	return on(ctx, m, in, (*backend).ReceiveDeadLetterQueueRecords)
}

func (m *Scoped) AcknowledgeDeadLetterQueueRecords(ctx context.Context, in *server.QueueReceiptsInput) (*server.QueueRecordsOutput, error) {
	return on(ctx, m, in, (*backend).AcknowledgeDeadLetterQueueRecords)
}

func (m *Scoped) UpdateDeadLetterQueueRecordsVisibility(ctx context.Context, in *server.QueueVisibilityInput) (*server.QueueRecordsOutput, error) {
	return on(ctx, m, in, (*backend).UpdateDeadLetterQueueRecordsVisibility)
}

func (m *Scoped) RestoreDeadLetterQueueRecords(ctx context.Context, in *server.QueueReceiptsInput) (*server.QueueRecordsOutput, error) {
	return on(ctx, m, in, (*backend).RestoreDeadLetterQueueRecords)
}

var (
	_ server.Backend          = (*Scoped)(nil)
	_ server.Base64Putter     = (*Scoped)(nil)
	_ server.StreamARNChecker = (*Scoped)(nil)
)
