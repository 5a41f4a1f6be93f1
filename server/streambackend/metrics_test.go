package streambackend_test

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/metrics"
	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// scrape reads GET /metrics at base and returns each sample by its name and labels, as the
// text format writes them: name{label="value",…}.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + server.MetricsPath)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	samples, err := testutil.PrometheusSamples(resp.Body)
	require.NoError(t, err)
	return samples
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

// countedServer serves a Scoped store over loopback with its metrics at /metrics.
func countedServer(t *testing.T) (string, *kinesis.Client) {
	t.Helper()
	sc, err := streambackend.Open(t.TempDir(), stream.Options{Shard: shard.Options{Sync: shard.SyncAlways}, Logger: discardLogger()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, sc.Close()) })
	m := metrics.New(metrics.Options{Engine: func() metrics.Engine { return metrics.Engine{Streams: sc.Usage()} }})
	sc.CountInto(m)
	ts := httptest.NewServer(server.New(sc, server.Options{Logger: discardLogger(), Metrics: m.Handler()}))
	t.Cleanup(ts.Close)
	return ts.URL, newSDKClient(ts.URL, nil)
}

const (
	shard0Key = "0"                                       // routes to shardId-000000000000 of 2
	shard1Key = "340282366920938463463374607431768211455" // routes to shardId-000000000001
)

// putRouted puts n records of size bytes with the one-byte partition key "k", the first
// to shard 0 and the rest to shard 1.
func putRouted(t *testing.T, kc *kinesis.Client, name string, toShard0, toShard1, size int) {
	t.Helper()
	var entries []types.PutRecordsRequestEntry
	for i := range toShard0 + toShard1 {
		key := shard0Key
		if i >= toShard0 {
			key = shard1Key
		}
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"),
			ExplicitHashKey: aws.String(key), Data: make([]byte, size)})
	}
	out, err := kc.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
	require.NoError(t, err)
	require.Zero(t, aws.ToInt32(out.FailedRecordCount))
}

// countShard reads shard id of name from TRIM_HORIZON in one GetRecords and returns how many
// records it got.
func countShard(t *testing.T, kc *kinesis.Client, name, id string) int {
	t.Helper()
	it, err := kc.GetShardIterator(context.Background(), &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
		ShardId: aws.String(id), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	require.NoError(t, err)
	out, err := kc.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	require.NoError(t, err)
	return len(out.Records)
}

// TestMetrics_StreamCounters: after known traffic, the stream metrics count exactly the
// records, bytes and calls made; a stream that does not exist makes no series, and a
// deleted stream's series leave the scrape.
func TestMetrics_StreamCounters(t *testing.T) {
	base, kc := countedServer(t)
	ctx := context.Background()
	_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)})
	require.NoError(t, err)

	putRouted(t, kc, "orders", 6, 4, 100) // 10 records of 100 B + "k"
	_, err = kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("pk"),
		ExplicitHashKey: aws.String(shard0Key), Data: make([]byte, 50)})
	require.NoError(t, err)
	_, err = kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("nowhere"), PartitionKey: aws.String("pk"), Data: []byte("x")})
	require.Error(t, err)
	require.Equal(t, 7, countShard(t, kc, "orders", "shardId-000000000000"))

	got := scrape(t, base)
	l := `{account="000000000000",region="us-east-1",stream="orders"}`
	want := map[string]float64{
		"shardlog_stream_incoming_records_total":                      11,
		"shardlog_stream_incoming_bytes_total":                        10*101 + 52,
		"shardlog_stream_put_records_calls_total":                     1,
		"shardlog_stream_put_records_success_total":                   1,
		"shardlog_stream_put_records_bytes_total":                     10 * 101,
		"shardlog_stream_put_records_total_records_total":             10,
		"shardlog_stream_put_records_successful_records_total":        10,
		"shardlog_stream_put_records_failed_records_total":            0,
		"shardlog_stream_put_records_throttled_records_total":         0,
		"shardlog_stream_put_records_latency_seconds_count":           1,
		"shardlog_stream_put_record_calls_total":                      1,
		"shardlog_stream_put_record_success_total":                    1,
		"shardlog_stream_put_record_bytes_total":                      52,
		"shardlog_stream_put_record_latency_seconds_count":            1,
		"shardlog_stream_get_records_calls_total":                     1,
		"shardlog_stream_get_records_success_total":                   1,
		"shardlog_stream_get_records_records_total":                   7,
		"shardlog_stream_get_records_bytes_total":                     6*101 + 52,
		"shardlog_stream_get_records_latency_seconds_count":           1,
		"shardlog_stream_get_records_iterator_age_milliseconds":       0,
		"shardlog_stream_write_provisioned_throughput_exceeded_total": 0,
		"shardlog_stream_read_provisioned_throughput_exceeded_total":  0,
		"shardlog_stream_appended_records_total":                      11,
		"shardlog_stream_disk_segments":                               2, // one per shard
	}
	for name, v := range want {
		require.Contains(t, got, name+l)
		require.Equal(t, v, got[name+l], "%s%s", name, l)
	}
	require.Positive(t, got["shardlog_stream_disk_bytes"+l])
	require.Positive(t, got["shardlog_stream_group_commits_total"+l])
	require.Empty(t, withPrefix(got, "shardlog_shard_"), "shard-level metrics before EnableEnhancedMonitoring")
	for k := range got {
		require.NotContains(t, k, `stream="nowhere"`)
	}

	_, err = kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("orders")})
	require.NoError(t, err)
	require.NotContains(t, scrape(t, base), "shardlog_stream_incoming_records_total"+l)
}

// TestMetrics_ShardLevel: the shard-level metrics appear only once EnableEnhancedMonitoring
// has turned them on, only those turned on, count per shard from then, and leave when
// DisableEnhancedMonitoring turns them off.
func TestMetrics_ShardLevel(t *testing.T) {
	base, kc := countedServer(t)
	ctx := context.Background()
	_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("events"), ShardCount: aws.Int32(2)})
	require.NoError(t, err)
	putRouted(t, kc, "events", 1, 1, 10)
	require.Empty(t, withPrefix(scrape(t, base), "shardlog_shard_"))

	_, err = kc.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("events"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingRecords, types.MetricsNameOutgoingRecords}})
	require.NoError(t, err)
	putRouted(t, kc, "events", 3, 2, 10)
	require.Equal(t, 4, countShard(t, kc, "events", "shardId-000000000000"))

	l := func(shard string) string {
		return `{account="000000000000",region="us-east-1",shard="shardId-00000000000` + shard + `",stream="events"}`
	}
	require.Equal(t, map[string]float64{
		"shardlog_shard_incoming_records_total" + l("0"): 3,
		"shardlog_shard_incoming_records_total" + l("1"): 2,
		"shardlog_shard_outgoing_records_total" + l("0"): 4,
		"shardlog_shard_outgoing_records_total" + l("1"): 0, // a shard seen reports every metric on
	}, withPrefix(scrape(t, base), "shardlog_shard_"))

	_, err = kc.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String("events"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	require.NoError(t, err)
	require.Empty(t, withPrefix(scrape(t, base), "shardlog_shard_"))
}

// benchMetrics runs the loopback benchmarks with metrics on: counted calls, a /metrics
// handler and timed syncs, as shardlog serve runs. Compare with and without:
//
//	go test -run=NONE -bench=Loopback_PutRecords -count=8 ./server/streambackend [-metrics]
var benchMetrics = flag.Bool("metrics", false, "run the loopback benchmarks with metrics on")

// loopbackBackend returns the Backend of the loopback benchmarks over st, and the server
// options' Metrics handler, with metrics on if -metrics says so.
func loopbackBackend(tb testing.TB, st *stream.Store) (server.Backend, http.Handler) {
	if !*benchMetrics {
		return streambackend.New(st), nil
	}
	m := metrics.New(metrics.Options{Process: true})
	tb.Cleanup(m.WatchSyncs())
	return streambackend.NewCounted(st, m.Scope(stream.DefaultAccount, stream.DefaultRegion)), m.Handler()
}
