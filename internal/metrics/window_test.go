package metrics_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/metrics"
	"github.com/shardlog/shardlog/kinesis"
)

// TestStream_IteratorAgeMax: beside the latest IteratorAgeMilliseconds, the stream and,
// with the shard-level metric on, each shard report the largest age of the calls of the
// current minute and the one before, which falls back once a minute has gone by without
// that call, and to 0 after two.
func TestStream_IteratorAgeMax(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 10, 0, time.UTC)
	m := metrics.NewWithClock(metrics.Options{}, func() time.Time { return now })
	st := m.Scope("111122223333", "eu-west-1").Stream("s", func() []string { return []string{metrics.IteratorAgeMilliseconds} })
	l := `{account="111122223333",region="eu-west-1",stream="s"}`
	ls := `{account="111122223333",region="eu-west-1",shard="shardId-000000000001",stream="s"}`
	read := func(ageMs int64) {
		st.GetRecords("shardId-000000000001", 1, 10, ageMs, time.Millisecond, nil)
	}
	type ages struct{ latest, max, shardLatest, shardMax float64 }
	scraped := func() ages {
		got := scrape(t, m)
		return ages{got["shardlog_stream_get_records_iterator_age_milliseconds"+l], got["shardlog_stream_get_records_iterator_age_max_milliseconds"+l],
			got["shardlog_shard_iterator_age_milliseconds"+ls], got["shardlog_shard_iterator_age_max_milliseconds"+ls]}
	}

	read(9000)
	read(200)
	require.Equal(t, ages{200, 9000, 200, 9000}, scraped(), "two calls in one minute")

	now = now.Add(time.Minute) // the next minute: the one before still counts
	read(50)
	require.Equal(t, ages{50, 9000, 50, 9000}, scraped(), "a minute later")

	now = now.Add(time.Minute) // 9000 is two minutes old, 50 one
	require.Equal(t, ages{50, 50, 50, 50}, scraped(), "two minutes later, no call since")

	now = now.Add(2 * time.Minute)
	require.Equal(t, ages{50, 0, 50, 0}, scraped(), "no call for two whole minutes")
}

// TestStream_ShardWriteExceeded: with the shard-level WriteProvisionedThroughputExceeded on,
// records refused by a shard's throughput count on that shard: PutRecord's through the
// shard it is given, PutRecords' through ShardWriteExceeded; with it off, on none.
func TestStream_ShardWriteExceeded(t *testing.T) {
	m := metrics.New(metrics.Options{})
	sc := m.Scope("111122223333", "eu-west-1")
	on := sc.Stream("on", func() []string { return []string{metrics.WriteProvisionedThroughputExceeded} })
	off := sc.Stream("off", func() []string { return []string{metrics.IncomingRecords} })
	throttled := &kinesis.Error{Type: kinesis.TypeProvisionedThroughputExceeded, Message: "Rate exceeded"}
	for _, st := range []*metrics.Stream{on, off} {
		st.PutRecord("shardId-000000000000", 10, time.Millisecond, throttled)
		st.PutRecord("shardId-000000000001", 10, time.Millisecond, nil) // put, not refused
		st.PutRecords(metrics.PutRecordsCall{Records: 3, Failed: 3, Throttled: 3, Took: time.Millisecond})
		st.ShardWriteExceeded("shardId-000000000001")
		st.ShardWriteExceeded("shardId-000000000001")
		st.ShardWriteExceeded("shardId-000000000000")
	}
	got := withPrefix(scrape(t, m), "shardlog_shard_write_")
	ls := func(stream, shard string) string {
		return `{account="111122223333",region="eu-west-1",shard="shardId-00000000000` + shard + `",stream="` + stream + `"}`
	}
	require.Equal(t, map[string]float64{
		"shardlog_shard_write_provisioned_throughput_exceeded_total" + ls("on", "0"): 2,
		"shardlog_shard_write_provisioned_throughput_exceeded_total" + ls("on", "1"): 2,
	}, got)
}

// withPrefix returns the samples whose names start with prefix.
func withPrefix(samples map[string]float64, prefix string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range samples {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

// TestConsumer_Nil: a nil Consumer, what a backend without metrics holds, takes every call
// and counts nothing.
func TestConsumer_Nil(t *testing.T) {
	var c *metrics.Consumer
	require.NotPanics(t, func() {
		c.Subscribed(nil)
		c.RateExceeded()
		c.Open()()
		c.Event(3, 12, 0)
	})
}

// TestStream_IteratorAgeMax_Concurrent: calls from many goroutines, while the minute moves
// on under them, lose no maximum: the largest age of all is in the window at the end.
func TestStream_IteratorAgeMax_Concurrent(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 5, 10, 0, 59, 0, time.UTC).UnixNano())
	m := metrics.NewWithClock(metrics.Options{}, func() time.Time { return time.Unix(0, clock.Load()) })
	st := m.Scope("a", "r").Stream("s", func() []string { return nil })
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				if g == 0 && i == 500 {
					clock.Add(int64(time.Second)) // into the next minute
				}
				st.GetRecords("", 1, 1, int64(g*1000+i), time.Millisecond, nil)
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 7999.0, scrape(t, m)[`shardlog_stream_get_records_iterator_age_max_milliseconds{account="a",region="r",stream="s"}`])
}
