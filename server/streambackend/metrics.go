package streambackend

import (
	"errors"
	"time"

	"github.com/shardlog/shardlog/internal/metrics"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/stream"
)

// NewCounted returns the Backend New returns, counting its PutRecord, PutRecords and
// GetRecords calls into counts, the metrics of s's account and region.
func NewCounted(s *stream.Store, counts *metrics.Scope) server.Backend {
	return &backend{store: s, counts: counts}
}

// CountInto makes every account and region count its PutRecord, PutRecords and GetRecords
// calls into m. Call it before serving: it does not synchronise with calls in flight.
func (m *Scoped) CountInto(ms *metrics.Metrics) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.metrics = ms
	m.root.counts = ms.Scope(m.defaultOf.Account, m.defaultOf.Region)
	for sc, b := range *m.stores.Load() {
		b.counts = ms.Scope(sc.Account, sc.Region)
	}
}

// Usage returns the usage of every stream of every account and region, for a scrape.
func (m *Scoped) Usage() []metrics.StreamUsage {
	var out []metrics.StreamUsage
	add := func(sc server.Scope, b *backend) {
		for _, u := range b.store.Usage() {
			out = append(out, metrics.StreamUsage{Account: sc.Account, Region: sc.Region, Stream: u.Stream,
				Segments: u.Segments, Bytes: u.Bytes, OpenFiles: u.OpenFiles, Mappings: u.Mappings,
				Records: u.Records, GroupCommits: u.GroupCommits})
		}
	}
	add(m.defaultOf, m.root)
	for sc, b := range *m.stores.Load() {
		add(sc, b)
	}
	return out
}

// counted returns the counters of the stream name.
func (b *backend) counted(name string) *metrics.Stream {
	return b.counts.Stream(name, func() []string {
		info, err := b.store.DescribeStreamSummary(name)
		if err != nil {
			return nil
		}
		return info.ShardLevelMetrics
	})
}

// noStream reports whether err says that the stream is not there: such a call is not
// counted, so that names of streams that do not exist make no series.
func noStream(err error) bool {
	var ke *kinesis.Error
	return errors.As(err, &ke) && ke.Type == kinesis.TypeResourceNotFound
}

func (b *backend) countPutRecord(in *server.PutRecordInput) (*server.PutRecordOutput, error) {
	start := time.Now()
	out, shardID, err := b.putRecord(in)
	if err != nil && noStream(err) {
		return nil, err
	}
	b.counted(in.StreamName).PutRecord(shardID, len(in.Data)+len(in.PartitionKey), time.Since(start), err)
	return out, err
}

func (b *backend) countPutRecords(in *server.PutRecordsInput, base64 bool) (*server.PutRecordsOutput, error) {
	start := time.Now()
	var refusedBy []string // the shards that refused records for their throughput
	out, err := b.putRecords(in, base64, func(id string) { refusedBy = append(refusedBy, id) })
	if err != nil && noStream(err) {
		return out, err
	}
	c := metrics.PutRecordsCall{Records: len(in.Records), Took: time.Since(start), Err: err}
	st := b.counted(in.StreamName)
	if err == nil {
		c.Failed = int(out.FailedRecordCount)
		c.Bytes = putBytes(in, base64, out, st)
		c.Throttled = len(refusedBy)
	}
	st.PutRecords(c)
	for _, id := range refusedBy {
		st.ShardWriteExceeded(id)
	}
	return out, err
}

// putBytes returns the data and partition key bytes of the records put, and counts them
// per shard when the stream has shard-level metrics on. Only then, or when some records
// failed, does it look at each record's result.
func putBytes(in *server.PutRecordsInput, base64 bool, out *server.PutRecordsOutput, st *metrics.Stream) int64 {
	recordBytes := func(e *server.PutRecordsRequestEntry) int {
		if base64 {
			return server.Base64Len(e.Data) + len(e.PartitionKey)
		}
		return len(e.Data) + len(e.PartitionKey)
	}
	var n int64
	if out.FailedRecordCount == 0 && !st.ShardLevel() {
		for i := range in.Records {
			n += int64(recordBytes(&in.Records[i]))
		}
		return n
	}
	for i := range in.Records {
		r, size := &out.Records[i], recordBytes(&in.Records[i])
		if r.ErrorCode == "" {
			n += int64(size)
			st.ShardIncoming(r.ShardId, 1, size)
		}
	}
	return n
}

func (b *backend) countGetRecords(in *server.GetRecordsInput, sink server.RecordSink) (*server.GetRecordsOutput, error) {
	start := time.Now()
	out, res, err := b.getRecords(in, sink)
	if res.Stream != "" {
		b.counted(res.Stream).GetRecords(res.ShardID, res.Records, res.Bytes, res.MillisBehindLatest, time.Since(start), err)
	}
	return out, err
}

// shardLevelChanged tells the counters of a stream which shard-level metrics are on now.
func (b *backend) shardLevelChanged(name string, on []string) {
	if b.counts != nil {
		b.counted(name).SetShardLevel(on)
	}
}

// forget drops the counters of a deleted stream.
func (b *backend) forget(name string) {
	if b.counts != nil {
		b.counts.Forget(name)
	}
}
