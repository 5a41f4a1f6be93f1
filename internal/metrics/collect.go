package metrics

import (
	"strings"
	"time"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	streamLabels = []string{"stream", "account", "region"}
	shardLabels  = []string{"stream", "account", "region", "shard"}
)

// metric describes one series family: its Prometheus name and, at the start of its help
// text, the CloudWatch name it stands for.
func metric(name, cloudWatch, help string, labels []string) *prometheus.Desc {
	if cloudWatch != "" {
		help = cloudWatch + ": " + help
	}
	return prometheus.NewDesc(name, help, labels, nil)
}

// The stream metrics (CloudWatch's AWS/Kinesis namespace, dimension StreamName).
var (
	descIncomingBytes   = metric("shardlog_stream_incoming_bytes_total", "IncomingBytes", "bytes (data and partition keys) of the records put to the stream.", streamLabels)
	descIncomingRecords = metric("shardlog_stream_incoming_records_total", "IncomingRecords", "records put to the stream.", streamLabels)
	descWriteExceeded   = metric("shardlog_stream_write_provisioned_throughput_exceeded_total", "WriteProvisionedThroughputExceeded", "records refused with ProvisionedThroughputExceededException.", streamLabels)
	descReadExceeded    = metric("shardlog_stream_read_provisioned_throughput_exceeded_total", "ReadProvisionedThroughputExceeded", "GetRecords calls refused with ProvisionedThroughputExceededException.", streamLabels)

	descPutRecordCalls   = metric("shardlog_stream_put_record_calls_total", "", "PutRecord calls that reached the stream; PutRecord.Success is put_record_success_total over this.", streamLabels)
	descPutRecordSuccess = metric("shardlog_stream_put_record_success_total", "PutRecord.Success", "PutRecord calls that succeeded.", streamLabels)
	descPutRecordBytes   = metric("shardlog_stream_put_record_bytes_total", "PutRecord.Bytes", "bytes put with PutRecord.", streamLabels)

	descPutRecordsCalls     = metric("shardlog_stream_put_records_calls_total", "", "PutRecords calls that reached the stream; PutRecords.Success is put_records_success_total over this.", streamLabels)
	descPutRecordsSuccess   = metric("shardlog_stream_put_records_success_total", "PutRecords.Success", "PutRecords calls with at least one record put.", streamLabels)
	descPutRecordsBytes     = metric("shardlog_stream_put_records_bytes_total", "PutRecords.Bytes", "bytes put with PutRecords.", streamLabels)
	descPutRecordsTotal     = metric("shardlog_stream_put_records_total_records_total", "PutRecords.TotalRecords", "records sent in PutRecords calls.", streamLabels)
	descPutRecordsSucceeded = metric("shardlog_stream_put_records_successful_records_total", "PutRecords.SuccessfulRecords", "records PutRecords put.", streamLabels)
	descPutRecordsFailed    = metric("shardlog_stream_put_records_failed_records_total", "PutRecords.FailedRecords", "records PutRecords refused (any error code).", streamLabels)
	descPutRecordsThrottled = metric("shardlog_stream_put_records_throttled_records_total", "PutRecords.ThrottledRecords", "records PutRecords refused with ProvisionedThroughputExceededException.", streamLabels)

	descGetRecordsCalls   = metric("shardlog_stream_get_records_calls_total", "", "GetRecords calls that reached the stream; GetRecords.Success is get_records_success_total over this.", streamLabels)
	descGetRecordsSuccess = metric("shardlog_stream_get_records_success_total", "GetRecords.Success", "GetRecords calls that succeeded.", streamLabels)
	descGetRecordsBytes   = metric("shardlog_stream_get_records_bytes_total", "GetRecords.Bytes", "bytes (data and partition keys) GetRecords returned.", streamLabels)
	descGetRecordsRecords = metric("shardlog_stream_get_records_records_total", "GetRecords.Records", "records GetRecords returned.", streamLabels)
	descGetRecordsAge     = metric("shardlog_stream_get_records_iterator_age_milliseconds", "GetRecords.IteratorAgeMilliseconds", "how far behind the tip the last GetRecords call left its reader.", streamLabels)
	descGetRecordsAgeMax  = metric("shardlog_stream_get_records_iterator_age_max_milliseconds", "GetRecords.IteratorAgeMilliseconds", "the Maximum statistic: the largest age of the GetRecords calls of this minute and the one before (0: none).", streamLabels)
)

// The shard-level metrics (dimensions StreamName and ShardId), in shardMetrics' order.
var shardDescs = [...]*prometheus.Desc{
	metric("shardlog_shard_incoming_bytes_total", IncomingBytes, "bytes put to the shard.", shardLabels),
	metric("shardlog_shard_incoming_records_total", IncomingRecords, "records put to the shard.", shardLabels),
	metric("shardlog_shard_outgoing_bytes_total", OutgoingBytes, "bytes GetRecords returned from the shard.", shardLabels),
	metric("shardlog_shard_outgoing_records_total", OutgoingRecords, "records GetRecords returned from the shard.", shardLabels),
	metric("shardlog_shard_write_provisioned_throughput_exceeded_total", WriteProvisionedThroughputExceeded, "records put to the shard refused with ProvisionedThroughputExceededException.", shardLabels),
	metric("shardlog_shard_read_provisioned_throughput_exceeded_total", ReadProvisionedThroughputExceeded, "GetRecords calls on the shard refused with ProvisionedThroughputExceededException.", shardLabels),
	metric("shardlog_shard_iterator_age_milliseconds", IteratorAgeMilliseconds, "how far behind the tip the last GetRecords call on the shard left its reader.", shardLabels),
}

// descShardAgeMax is the Maximum statistic of the shard-level IteratorAgeMilliseconds,
// reported beside the latest value when that metric is on.
var descShardAgeMax = metric("shardlog_shard_iterator_age_max_milliseconds", IteratorAgeMilliseconds, "the Maximum statistic: the largest age of the GetRecords calls on the shard of this minute and the one before (0: none).", shardLabels)

// The engine's figures.
var (
	descDiskBytes    = metric("shardlog_stream_disk_bytes", "", "bytes of segment data the stream holds on disk.", streamLabels)
	descDiskSegments = metric("shardlog_stream_disk_segments", "", "segment files the stream holds.", streamLabels)
	descOpenFiles    = metric("shardlog_stream_open_files", "", "file descriptors the stream's shards hold.", streamLabels)
	descMappings     = metric("shardlog_stream_mappings", "", "memory mappings the stream's shards hold.", streamLabels)
	descAppended     = metric("shardlog_stream_appended_records_total", "", "records appended since start-up; over group_commits_total, the records per group commit.", streamLabels)
	descGroupCommits = metric("shardlog_stream_group_commits_total", "", "group commits (one fdatasync for every append waiting on it) since start-up.", streamLabels)

	descRecoverySeconds  = metric("shardlog_recovery_seconds", "", "how long opening the store took at start-up.", nil)
	descRecoveryBytes    = metric("shardlog_recovery_scanned_bytes", "", "bytes start-up scanned to recover shards that were not closed cleanly.", nil)
	descRecoverySegments = metric("shardlog_recovery_scanned_segments", "", "segments start-up scanned.", nil)
	descRecoveryTorn     = metric("shardlog_recovery_torn_tails", "", "torn tails start-up cut off.", nil)
	descRecoveryDropped  = metric("shardlog_recovery_dropped_bytes", "", "bytes of the torn tails start-up cut off.", nil)
)

// collector renders the counters of a Metrics at each scrape. It is unchecked (Describe
// sends nothing): the streams come and go.
type collector struct{ m *Metrics }

func (c collector) Describe(chan<- *prometheus.Desc) {}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	c.m.scopes.Range(func(_, s any) bool {
		s.(*Scope).streams.Range(func(_, st any) bool {
			st.(*Stream).collect(ch)
			return true
		})
		return true
	})
	if c.m.opts.Engine != nil {
		collectEngine(ch, c.m.opts.Engine())
	}
}

func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v uint64, labels []string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels []string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func (s *Stream) collect(ch chan<- prometheus.Metric) {
	l := s.labels
	counter(ch, descIncomingBytes, s.incomingBytes.Load(), l)
	counter(ch, descIncomingRecords, s.incomingRecords.Load(), l)
	counter(ch, descWriteExceeded, s.writeExceeded.Load(), l)
	counter(ch, descReadExceeded, s.readExceeded.Load(), l)

	counter(ch, descPutRecordCalls, s.putRecord.calls.Load(), l)
	counter(ch, descPutRecordSuccess, s.putRecord.successes.Load(), l)
	counter(ch, descPutRecordBytes, s.putRecordBytes.Load(), l)
	s.putRecord.latency.Collect(ch)

	total, failed := s.putRecordsRecords.Load(), s.putRecordsFailed.Load()
	counter(ch, descPutRecordsCalls, s.putRecords.calls.Load(), l)
	counter(ch, descPutRecordsSuccess, s.putRecords.successes.Load(), l)
	counter(ch, descPutRecordsBytes, s.putRecordsBytes.Load(), l)
	counter(ch, descPutRecordsTotal, total, l)
	counter(ch, descPutRecordsSucceeded, total-failed, l)
	counter(ch, descPutRecordsFailed, failed, l)
	counter(ch, descPutRecordsThrottled, s.putRecordsThrottl.Load(), l)
	s.putRecords.latency.Collect(ch)

	counter(ch, descGetRecordsCalls, s.getRecords.calls.Load(), l)
	counter(ch, descGetRecordsSuccess, s.getRecords.successes.Load(), l)
	counter(ch, descGetRecordsBytes, s.getRecordsBytes.Load(), l)
	counter(ch, descGetRecordsRecords, s.getRecordsRecords.Load(), l)
	gauge(ch, descGetRecordsAge, float64(s.iteratorAgeMs.Load()), l)
	now := s.now()
	gauge(ch, descGetRecordsAgeMax, float64(s.iteratorAgeMax.value(now)), l)
	s.getRecords.latency.Collect(ch)

	s.collectShards(ch, now)
	s.collectConsumers(ch, now)
}

// collectShards renders the shard-level metrics that are on.
func (s *Stream) collectShards(ch chan<- prometheus.Metric, now time.Time) {
	bits := s.shardLevel.Load()
	if bits == 0 {
		return
	}
	s.shards.Range(func(id, v any) bool {
		sh := v.(*shardCounters)
		values := [...]float64{
			float64(sh.incomingBytes.Load()), float64(sh.incomingRecords.Load()),
			float64(sh.outgoingBytes.Load()), float64(sh.outgoingRecords.Load()),
			float64(sh.writeExceeded.Load()), float64(sh.readExceeded.Load()),
			float64(sh.iteratorAgeMs.Load()),
		}
		labels := append(s.labels[:3:3], id.(string))
		for i, d := range shardDescs {
			if bits&(1<<i) == 0 {
				continue
			}
			kind := prometheus.CounterValue
			if shardMetrics[i] == IteratorAgeMilliseconds {
				kind = prometheus.GaugeValue
			}
			ch <- prometheus.MustNewConstMetric(d, kind, values[i], labels...)
		}
		if bits&bit(IteratorAgeMilliseconds) != 0 {
			gauge(ch, descShardAgeMax, float64(sh.iteratorAgeMax.value(now)), labels)
		}
		return true
	})
}

func collectEngine(ch chan<- prometheus.Metric, e Engine) {
	for _, u := range e.Streams {
		l := []string{u.Stream, u.Account, u.Region}
		gauge(ch, descDiskBytes, float64(u.Bytes), l)
		gauge(ch, descDiskSegments, float64(u.Segments), l)
		gauge(ch, descOpenFiles, float64(u.OpenFiles), l)
		gauge(ch, descMappings, float64(u.Mappings), l)
		counter(ch, descAppended, u.Records, l)
		counter(ch, descGroupCommits, u.GroupCommits, l)
	}
	if r := e.Recovery; r != nil {
		gauge(ch, descRecoverySeconds, r.Took.Seconds(), nil)
		gauge(ch, descRecoveryBytes, float64(r.ScannedBytes), nil)
		gauge(ch, descRecoverySegments, float64(r.ScannedSegments), nil)
		gauge(ch, descRecoveryTorn, float64(r.TornTails), nil)
		gauge(ch, descRecoveryDropped, float64(r.DroppedBytes), nil)
	}
}

// snake turns a CloudWatch operation name into the snake case of a metric name:
// PutRecords → put_records.
func snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
