package metrics

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Consumer counts the SubscribeToShard calls of one consumer of a stream and the events
// they pushed: CloudWatch's SubscribeToShard and SubscribeToShardEvent metrics, whose
// dimensions are the stream and the consumer. Its methods do nothing on a nil Consumer, so
// that a caller without metrics need not check.
type Consumer struct {
	labels []string // stream, account, region, consumer
	now    func() time.Time

	calls, successes, rateExceeded atomic.Uint64
	open                           atomic.Int64
	events, records, bytes         atomic.Uint64
	millisBehind                   windowMax
}

// Consumer returns the counters of the stream's consumer name, making them on first use.
// They stay until the stream is forgotten (Scope.Forget).
func (s *Stream) Consumer(name string) *Consumer {
	if c, ok := s.consumers.Load(name); ok {
		return c.(*Consumer)
	}
	c, _ := s.consumers.LoadOrStore(name, &Consumer{labels: append(s.labels[:3:3], name), now: s.now})
	return c.(*Consumer)
}

// Subscribed counts a SubscribeToShard call of the consumer that started its event
// stream (err nil) or failed with err before it did.
func (c *Consumer) Subscribed(err error) {
	if c == nil {
		return
	}
	c.calls.Add(1)
	if err == nil {
		c.successes.Add(1)
	}
}

// RateExceeded counts a SubscribeToShard call refused because the consumer already had a
// subscription to the shard (SubscribeToShard.RateExceeded).
func (c *Consumer) RateExceeded() {
	if c == nil {
		return
	}
	c.calls.Add(1)
	c.rateExceeded.Add(1)
}

// Open counts a subscription as open until the returned function is called.
func (c *Consumer) Open() (closed func()) {
	if c == nil {
		return func() {}
	}
	c.open.Add(1)
	return func() { c.open.Add(-1) }
}

// Event counts an event pushed to the consumer: its records, their bytes (data and
// partition keys) and its MillisBehindLatest.
func (c *Consumer) Event(records, bytes int, millisBehind int64) {
	if c == nil {
		return
	}
	c.events.Add(1)
	c.records.Add(uint64(records))
	c.bytes.Add(uint64(bytes))
	c.millisBehind.observe(millisBehind, c.now())
}

var consumerLabels = []string{"stream", "account", "region", "consumer"}

// The metrics of SubscribeToShard (dimensions StreamName and ConsumerName).
var (
	descSubscribeCalls        = metric("shardlog_consumer_subscribe_to_shard_calls_total", "", "SubscribeToShard calls of the consumer; SubscribeToShard.Success is subscribe_to_shard_success_total over this.", consumerLabels)
	descSubscribeSuccess      = metric("shardlog_consumer_subscribe_to_shard_success_total", "SubscribeToShard.Success", "SubscribeToShard calls that started their event stream.", consumerLabels)
	descSubscribeRateExceeded = metric("shardlog_consumer_subscribe_to_shard_rate_exceeded_total", "SubscribeToShard.RateExceeded", "SubscribeToShard calls refused because the consumer already had a subscription to the shard.", consumerLabels)
	descSubscriptions         = metric("shardlog_consumer_subscriptions", "", "subscriptions of the consumer open now.", consumerLabels)
	descEvents                = metric("shardlog_consumer_subscribe_to_shard_events_total", "SubscribeToShardEvent.Success", "events pushed to the consumer, with records or not.", consumerLabels)
	descEventRecords          = metric("shardlog_consumer_subscribe_to_shard_event_records_total", "SubscribeToShardEvent.Records", "records pushed to the consumer.", consumerLabels)
	descEventBytes            = metric("shardlog_consumer_subscribe_to_shard_event_bytes_total", "SubscribeToShardEvent.Bytes", "bytes (data and partition keys) pushed to the consumer.", consumerLabels)
	descEventBehindMax        = metric("shardlog_consumer_subscribe_to_shard_event_millis_behind_latest_max_milliseconds", "SubscribeToShardEvent.MillisBehindLatest", "the Maximum statistic: the largest MillisBehindLatest of the events of this minute and the one before (0: none).", consumerLabels)
)

func (c *Consumer) collect(ch chan<- prometheus.Metric, now time.Time) {
	l := c.labels
	counter(ch, descSubscribeCalls, c.calls.Load(), l)
	counter(ch, descSubscribeSuccess, c.successes.Load(), l)
	counter(ch, descSubscribeRateExceeded, c.rateExceeded.Load(), l)
	gauge(ch, descSubscriptions, float64(c.open.Load()), l)
	counter(ch, descEvents, c.events.Load(), l)
	counter(ch, descEventRecords, c.records.Load(), l)
	counter(ch, descEventBytes, c.bytes.Load(), l)
	gauge(ch, descEventBehindMax, float64(c.millisBehind.value(now)), l)
}

// collectConsumers renders the counters of the stream's consumers.
func (s *Stream) collectConsumers(ch chan<- prometheus.Metric, now time.Time) {
	s.consumers.Range(func(_, c any) bool {
		c.(*Consumer).collect(ch, now)
		return true
	})
}
