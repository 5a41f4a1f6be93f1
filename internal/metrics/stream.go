package metrics

import (
	"cmp"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardlog/shardlog/kinesis"
)

// Scope holds the streams of one account and region.
type Scope struct {
	account, region string
	now             func() time.Time

	mu      sync.Mutex // held to add a Stream
	streams sync.Map   // name → *Stream
}

// Stream returns the counters of the stream name, making them on first use; shardLevel,
// called only then, returns the shard-level metrics EnableEnhancedMonitoring has turned on
// for the stream (later changes go through SetShardLevel).
func (s *Scope) Stream(name string, shardLevel func() []string) *Stream {
	if st, ok := s.streams.Load(name); ok {
		return st.(*Stream)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.streams.Load(name); ok {
		return st.(*Stream)
	}
	st := newStream(s.account, s.region, name, s.now)
	st.SetShardLevel(shardLevel())
	s.streams.Store(name, st)
	return st
}

// Forget drops the counters of the stream name, once it is deleted, so that its series
// leave the scrape and a stream created later under the name starts from zero.
func (s *Scope) Forget(name string) { s.streams.Delete(name) }

// Stream counts the calls of one stream. Its methods are called once per call, after it ran.
type Stream struct {
	labels []string // stream, account, region
	now    func() time.Time

	incomingBytes, incomingRecords atomic.Uint64
	writeExceeded, readExceeded    atomic.Uint64

	putRecord                           op
	putRecordBytes                      atomic.Uint64
	putRecords                          op
	putRecordsBytes, putRecordsRecords  atomic.Uint64
	putRecordsFailed, putRecordsThrottl atomic.Uint64

	getRecords                         op
	getRecordsBytes, getRecordsRecords atomic.Uint64
	iteratorAgeMs                      atomic.Int64
	iteratorAgeMax                     windowMax

	shardLevel atomic.Uint32 // shardMetric bits: the shard-level metrics turned on
	shards     sync.Map      // shard id → *shardCounters, once a shard-level metric is on
	consumers  sync.Map      // consumer name → *Consumer (subscribe.go)
}

// op counts the calls of one operation.
type op struct {
	calls, successes atomic.Uint64
	latency          prometheus.Histogram
}

func newStream(account, region, name string, now func() time.Time) *Stream {
	st := &Stream{labels: []string{name, account, region}, now: now}
	for _, o := range []struct {
		op   *op
		name string
	}{{&st.putRecord, "PutRecord"}, {&st.putRecords, "PutRecords"}, {&st.getRecords, "GetRecords"}} {
		o.op.latency = prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:        "shardlog_stream_" + snake(o.name) + "_latency_seconds",
			Help:        o.name + ".Latency: how long the server took for each successful call.",
			ConstLabels: prometheus.Labels{"stream": name, "account": account, "region": region},
			Buckets:     latencyBuckets,
		})
	}
	return st
}

// latencyBuckets go from 100 µs to 3.3 s.
var latencyBuckets = prometheus.ExponentialBuckets(100e-6, 2, 16)

func (o *op) done(took time.Duration, err error) {
	o.calls.Add(1)
	if err == nil {
		o.successes.Add(1)
		o.latency.Observe(took.Seconds())
	}
}

// errAllFailed stands for a PutRecords call whose every record failed.
var errAllFailed = errors.New("metrics: every record failed")

// throttled reports whether err is a ProvisionedThroughputExceededException.
func throttled(err error) bool {
	if err == nil {
		return false // before the declaration below, which escapes and would allocate
	}
	var ke *kinesis.Error
	return errors.As(err, &ke) && ke.Type == kinesis.TypeProvisionedThroughputExceeded
}

// PutRecord counts one PutRecord call: a record of bytes (data and partition key) that went
// to shardID, or err (shardID is then the shard that refused the record, or "").
func (s *Stream) PutRecord(shardID string, bytes int, took time.Duration, err error) {
	s.putRecord.done(took, err)
	if throttled(err) {
		s.writeExceeded.Add(1)
		s.ShardWriteExceeded(shardID)
		return
	}
	if err != nil {
		return
	}
	s.putRecordBytes.Add(uint64(bytes))
	s.incomingBytes.Add(uint64(bytes))
	s.incomingRecords.Add(1)
	if s.shardLevel.Load() != 0 {
		s.ShardIncoming(shardID, 1, bytes)
	}
}

// PutRecordsCall is what one PutRecords call did.
type PutRecordsCall struct {
	Records   int   // records in the request
	Failed    int   // records that failed (FailedRecordCount)
	Throttled int   // of those, records that failed with ProvisionedThroughputExceededException
	Bytes     int64 // data and partition keys of the records that succeeded
	Took      time.Duration
	Err       error // the error of the whole call, if it failed
}

// PutRecords counts one PutRecords call. The shard-level counters are the caller's to add
// (ShardIncoming), since only it knows where each record went.
func (s *Stream) PutRecords(c PutRecordsCall) {
	var none error // AWS counts a PutRecords that put no record as no success
	if c.Err == nil && c.Records > 0 && c.Failed == c.Records {
		none = errAllFailed
	}
	s.putRecords.done(c.Took, cmp.Or(c.Err, none))
	if throttled(c.Err) {
		s.writeExceeded.Add(uint64(c.Records))
	}
	if c.Err != nil {
		return
	}
	ok := uint64(c.Records - c.Failed)
	s.putRecordsRecords.Add(uint64(c.Records))
	s.putRecordsBytes.Add(uint64(c.Bytes))
	s.incomingBytes.Add(uint64(c.Bytes))
	s.incomingRecords.Add(ok)
	if c.Failed > 0 {
		s.putRecordsFailed.Add(uint64(c.Failed))
	}
	if c.Throttled > 0 {
		s.putRecordsThrottl.Add(uint64(c.Throttled))
		s.writeExceeded.Add(uint64(c.Throttled))
	}
}

// GetRecords counts one GetRecords call that read records and bytes from shardID, its
// reader millisBehind the tip, or failed with err (shardID is "" when the iterator named
// no shard).
func (s *Stream) GetRecords(shardID string, records, bytes int, millisBehind int64, took time.Duration, err error) {
	s.getRecords.done(took, err)
	level := s.shardLevel.Load()
	if throttled(err) {
		s.readExceeded.Add(1)
		if level&bit(ReadProvisionedThroughputExceeded) != 0 && shardID != "" {
			s.shard(shardID).readExceeded.Add(1)
		}
		return
	}
	if err != nil {
		return
	}
	s.getRecordsRecords.Add(uint64(records))
	s.getRecordsBytes.Add(uint64(bytes))
	s.iteratorAgeMs.Store(millisBehind)
	now := s.now()
	s.iteratorAgeMax.observe(millisBehind, now)
	if level != 0 && shardID != "" {
		sh := s.shard(shardID)
		sh.outgoingRecords.Add(uint64(records))
		sh.outgoingBytes.Add(uint64(bytes))
		sh.iteratorAgeMs.Store(millisBehind)
		sh.iteratorAgeMax.observe(millisBehind, now)
	}
}
