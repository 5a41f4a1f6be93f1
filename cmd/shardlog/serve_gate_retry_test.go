package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// serveGated serves a store with the gate of --limits aws whose quotas run on clock, as
// `shardlog serve` wires it, and returns the endpoint.
func serveGated(t *testing.T, clock *testutil.Clock) string {
	t.Helper()
	gt, _, err := gateFlags{limits: "aws"}.build("000000000000", clock.Now)
	require.NoError(t, err)
	gt.region = "us-east-1"
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	so := stream.Options{Region: "us-east-1", Account: "000000000000", Logger: log}
	o := server.Options{Logger: log}
	gt.apply(&so, &o)
	store, err := streambackend.Open(t.TempDir(), so)
	require.NoError(t, err)
	srv := httptest.NewServer(server.New(store, o))
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, store.Close())
	})
	return srv.URL
}

// TestGate_GetRecordsRetryLoop reads a shard back faster than --limits aws lets it, on
// the gate's clock, which stands still but for the SDK's backoffs: the third GetRecords
// of 1,000 records of 1 KiB leaves the shard's 2 MiB/s of reads owing, so the fourth is
// refused whatever the speed of the machine, and the SDK's standard retryer, whose
// backoffs move the clock, retries it until the debt is paid.
func TestGate_GetRecordsRetryLoop(t *testing.T) {
	clock := testutil.NewClock(1_700_000_000_000)
	endpoint := serveGated(t, clock)
	c := kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSHARDLOGTEST", "secret", ""),
		HTTPClient:   testutil.SDKHTTPClient(nil),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 10
			o.RateLimiter = ratelimit.None
			// The backoff passes on the gate's clock, not the machine's.
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
				clock.Advance(200 * time.Millisecond)
				return 0, nil
			})
		}),
	})
	ctx := context.Background()
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("limited"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	waitActive(t, c, "limited")

	// 3,000 records of 1 KiB, 500 a call and a second of the clock apart: within the
	// shard's 1 MiB and 1,000 records a second, so none is refused.
	data := records(3000, 1024)
	for i := 0; i < len(data); i += 500 {
		entries := make([]types.PutRecordsRequestEntry, 500)
		for j := range entries {
			entries[j] = types.PutRecordsRequestEntry{Data: data[i+j], PartitionKey: aws.String("k")}
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("limited"), Records: entries})
		require.NoError(t, err)
		require.Zero(t, aws.ToInt32(out.FailedRecordCount), "records %d to %d within the quotas", i, i+500)
		clock.Advance(time.Second)
	}

	seen := newRetries()
	got := readAllData(t, c, "limited", 1000, len(data), seen)
	require.Greater(t, seen.count("ProvisionedThroughputExceededException"), int64(0), "no GetRecords call was throttled")
	require.Zero(t, seen.count("LimitExceededException"))
	requireAllOnce(t, data, got)
}
