package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/durable"
	"github.com/shardlog/shardlog/internal/metrics"
	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
)

// scrape renders m as a scrape does and returns its samples by name and labels.
func scrape(t *testing.T, m *metrics.Metrics) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	samples, err := testutil.PrometheusSamples(rec.Body)
	require.NoError(t, err)
	return samples
}

// TestMetrics_WatchSyncs: the fdatasync histogram counts every file and directory sync that
// internal/durable runs while watched, and none after stop.
func TestMetrics_WatchSyncs(t *testing.T) {
	m := metrics.New(metrics.Options{})
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "f"))
	require.NoError(t, err)
	defer f.Close()

	stop := m.WatchSyncs()
	for range 5 {
		_, err := f.Write([]byte("x"))
		require.NoError(t, err)
		require.NoError(t, durable.Fdatasync(f))
	}
	require.NoError(t, durable.SyncDir(dir))
	stop()
	require.NoError(t, durable.Fdatasync(f)) // not watched any more

	got := scrape(t, m)
	require.Equal(t, 5.0, got[`shardlog_fdatasync_seconds_count{kind="file"}`])
	require.Equal(t, 1.0, got[`shardlog_fdatasync_seconds_count{kind="dir"}`])
	require.Equal(t, 5.0, got[`shardlog_fdatasync_seconds_bucket{kind="file",le="+Inf"}`])
}

// TestStream_Throttled: records and calls refused with ProvisionedThroughputExceededException
// count as WriteProvisionedThroughputExceeded (records) and ReadProvisionedThroughputExceeded
// (calls), and not as incoming or outgoing records.
func TestStream_Throttled(t *testing.T) {
	m := metrics.New(metrics.Options{})
	st := m.Scope("111122223333", "eu-west-1").Stream("s", func() []string { return []string{metrics.ReadProvisionedThroughputExceeded} })
	throttled := &kinesis.Error{Type: kinesis.TypeProvisionedThroughputExceeded, Message: "Rate exceeded"}
	st.PutRecord("", 10, time.Millisecond, throttled)
	st.PutRecords(metrics.PutRecordsCall{Records: 5, Failed: 3, Throttled: 2, Bytes: 20, Took: time.Millisecond})
	st.PutRecords(metrics.PutRecordsCall{Records: 2, Failed: 2, Throttled: 2, Took: time.Millisecond})
	st.GetRecords("shardId-000000000000", 0, 0, 0, time.Millisecond, throttled)

	got := scrape(t, m)
	l := `{account="111122223333",region="eu-west-1",stream="s"}`
	for name, want := range map[string]float64{
		"shardlog_stream_write_provisioned_throughput_exceeded_total": 1 + 2 + 2,
		"shardlog_stream_read_provisioned_throughput_exceeded_total":  1,
		"shardlog_stream_incoming_records_total":                      2,
		"shardlog_stream_incoming_bytes_total":                        20,
		"shardlog_stream_put_record_calls_total":                      1,
		"shardlog_stream_put_record_success_total":                    0,
		"shardlog_stream_put_records_calls_total":                     2,
		"shardlog_stream_put_records_success_total":                   1, // the call that put no record is no success
		"shardlog_stream_put_records_failed_records_total":            3 + 2,
		"shardlog_stream_put_records_throttled_records_total":         2 + 2,
		"shardlog_stream_put_records_successful_records_total":        2,
		"shardlog_stream_get_records_success_total":                   0,
	} {
		require.Equal(t, want, got[name+l], name)
	}
	require.Equal(t, 1.0, got[`shardlog_shard_read_provisioned_throughput_exceeded_total{account="111122223333",region="eu-west-1",shard="shardId-000000000000",stream="s"}`])
}

// TestMetrics_Engine: the engine's figures are read at each scrape, per stream, with the
// recovery at start-up.
func TestMetrics_Engine(t *testing.T) {
	bytes := int64(100)
	m := metrics.New(metrics.Options{Engine: func() metrics.Engine {
		return metrics.Engine{
			Streams:  []metrics.StreamUsage{{Account: "a", Region: "r", Stream: "s", Segments: 2, Bytes: bytes, OpenFiles: 1, Mappings: 3, Records: 40, GroupCommits: 4}},
			Recovery: &metrics.Recovery{Took: 1500 * time.Millisecond, ScannedBytes: 4096, ScannedSegments: 1},
		}
	}})
	got := scrape(t, m)
	l := `{account="a",region="r",stream="s"}`
	require.Equal(t, 100.0, got["shardlog_stream_disk_bytes"+l])
	require.Equal(t, 2.0, got["shardlog_stream_disk_segments"+l])
	require.Equal(t, 1.0, got["shardlog_stream_open_files"+l])
	require.Equal(t, 3.0, got["shardlog_stream_mappings"+l])
	require.Equal(t, 40.0, got["shardlog_stream_appended_records_total"+l])
	require.Equal(t, 4.0, got["shardlog_stream_group_commits_total"+l])
	require.Equal(t, 1.5, got["shardlog_recovery_seconds"])
	require.Equal(t, 4096.0, got["shardlog_recovery_scanned_bytes"])
	bytes = 200
	require.Equal(t, 200.0, scrape(t, m)["shardlog_stream_disk_bytes"+l])
}
