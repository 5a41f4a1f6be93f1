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
