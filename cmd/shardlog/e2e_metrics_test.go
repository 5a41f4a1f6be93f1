package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestServe_Metrics scrapes the built binary's GET /metrics, unauthenticated with --auth on:
// the stream counters after a PutRecords of 3 records and a GetRecords, the fdatasync
// histogram (--sync always), the engine's figures, the recovery at start-up and the
// process's open file descriptors.
func TestServe_Metrics(t *testing.T) {
	srv := startServer(t, t.TempDir(), "--auth", "AKIDSHARDLOGTEST:secret")
	kc := mustCreate(t, srv.Endpoint, "clicks", 1)
	ctx := context.Background()
	entries := make([]types.PutRecordsRequestEntry, 3)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("p"), Data: []byte("abcd")}
	}
	_, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("clicks"), Records: entries})
	require.NoError(t, err)
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("clicks"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	require.NoError(t, err)
	_, err = kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	require.NoError(t, err)

	got := scrapeMetrics(t, srv.Endpoint)
	l := `{account="000000000000",region="us-east-1",stream="clicks"}`
	require.Equal(t, 3.0, got["shardlog_stream_incoming_records_total"+l])
	require.Equal(t, 15.0, got["shardlog_stream_incoming_bytes_total"+l])
	require.Equal(t, 3.0, got["shardlog_stream_get_records_records_total"+l])
	require.Equal(t, 3.0, got["shardlog_stream_appended_records_total"+l])
	require.Equal(t, 1.0, got["shardlog_stream_disk_segments"+l])
	require.Positive(t, got["shardlog_stream_disk_bytes"+l])
	require.Positive(t, got[`shardlog_fdatasync_seconds_count{kind="file"}`])
	require.Positive(t, got["process_open_fds"])
	require.Contains(t, got, "shardlog_recovery_seconds")
	require.Equal(t, 0.0, got["shardlog_recovery_scanned_bytes"])
}

// scrapeMetrics reads GET /metrics at endpoint and returns each sample by name and labels.
func scrapeMetrics(t *testing.T, endpoint string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(endpoint + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	samples, err := testutil.PrometheusSamples(resp.Body)
	require.NoError(t, err)
	return samples
}
