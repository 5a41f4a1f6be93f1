package metrics_test

import (
	"testing"
	"time"

	"github.com/shardlog/shardlog/internal/metrics"
)

// BenchmarkStream_PutRecords is what counting one PutRecords call costs on the hot path:
// the stream's lookup and its atomic adds, whatever the number of records.
func BenchmarkStream_PutRecords(b *testing.B) {
	scope := metrics.New(metrics.Options{}).Scope("000000000000", "us-east-1")
	none := func() []string { return nil }
	b.ReportAllocs()
	for b.Loop() {
		scope.Stream("orders", none).PutRecords(metrics.PutRecordsCall{Records: 500, Bytes: 50500, Took: time.Millisecond})
	}
}

// BenchmarkStream_GetRecords is what counting one GetRecords call costs, with every
// shard-level metric on: the atomic adds, and the iterator age's maxima of the stream and
// the shard (a clock read and two uncontended locks).
func BenchmarkStream_GetRecords(b *testing.B) {
	scope := metrics.New(metrics.Options{}).Scope("000000000000", "us-east-1")
	all := func() []string { return []string{"ALL"} }
	b.ReportAllocs()
	for b.Loop() {
		scope.Stream("orders", all).GetRecords("shardId-000000000000", 100, 10100, 250, time.Millisecond, nil)
	}
}

// BenchmarkConsumer_Event is what counting one SubscribeToShard event costs.
func BenchmarkConsumer_Event(b *testing.B) {
	c := metrics.New(metrics.Options{}).Scope("000000000000", "us-east-1").Stream("orders", func() []string { return nil }).Consumer("c")
	b.ReportAllocs()
	for b.Loop() {
		c.Event(100, 10100, 250)
	}
}
