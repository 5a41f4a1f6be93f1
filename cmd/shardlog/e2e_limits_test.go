package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

// retryingClient is a client whose standard retryer makes up to 10 attempts, with backoff
// of at most 500 ms, and no client-side retry quota, as a producer that must not lose
// records configures it.
func retryingClient(endpoint string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSHARDLOGTEST", "secret", ""),
		HTTPClient:   testutil.SDKHTTPClient(nil),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 10
			o.MaxBackoff = 500 * time.Millisecond
			o.RateLimiter = ratelimit.None
		}),
	})
}

// retries counts the attempts of calls that the SDK's retryer made again, by error code.
type retries struct{ byCode map[string]*atomic.Int64 }

func newRetries() *retries {
	return &retries{byCode: map[string]*atomic.Int64{
		"ProvisionedThroughputExceededException": {}, "LimitExceededException": {}, "InternalFailure": {},
	}}
}

func (r *retries) note(md middleware.Metadata) {
	res, ok := retry.GetAttemptResults(md)
	if !ok {
		return
	}
	for _, a := range res.Results {
		var ae smithy.APIError
		if errors.As(a.Err, &ae) {
			if n := r.byCode[ae.ErrorCode()]; n != nil {
				n.Add(1)
			}
		}
	}
}

func (r *retries) count(code string) int64 { return r.byCode[code].Load() }

// putAll writes the records with PutRecords, 500 a call, sending again the records that
// failed one by one until every one has landed: the retry loop every producer needs,
// since PutRecords reports throttled records in its answer, not as an error. It returns
// how many records failed and were sent again, by "ErrorCode: ErrorMessage".
func putAll(t *testing.T, c *kinesis.Client, name string, data [][]byte, seen *retries) (resent map[string]int) {
	t.Helper()
	ctx := context.Background()
	pending := make([]types.PutRecordsRequestEntry, len(data))
	for i, d := range data {
		pending[i] = types.PutRecordsRequestEntry{Data: d, PartitionKey: aws.String(fmt.Sprint("key-", i))}
	}
	resent = map[string]int{}
	backoff := 50 * time.Millisecond
	for deadline := time.Now().Add(60 * time.Second); len(pending) > 0; {
		require.True(t, time.Now().Before(deadline), "%d records still failing after 60 s", len(pending))
		batch := pending[:min(500, len(pending))]
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: batch})
		require.NoError(t, err, "PutRecords failed even after the SDK's retries")
		seen.note(out.ResultMetadata)
		var failed []types.PutRecordsRequestEntry
		for i, r := range out.Records {
			if r.ErrorCode != nil {
				failed = append(failed, batch[i])
				resent[aws.ToString(r.ErrorCode)+": "+aws.ToString(r.ErrorMessage)]++
				require.Nil(t, r.SequenceNumber, "a failed record has no sequence number")
			}
		}
		require.Equal(t, int32(len(failed)), aws.ToInt32(out.FailedRecordCount))
		pending = append(failed, pending[len(batch):]...)
		if len(failed) > 0 {
			time.Sleep(backoff) // the client's own backoff before sending the failed records again
			backoff = min(2*backoff, time.Second)
		} else {
			backoff = 50 * time.Millisecond
		}
	}
	return resent
}

// readAll reads every record of every shard of the stream from TRIM_HORIZON, leaving the
// SDK's retryer to deal with throttled calls, and returns the data of the records.
func readAllData(t *testing.T, c *kinesis.Client, name string, limit int32, want int, seen *retries) []string {
	t.Helper()
	ctx := context.Background()
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})
	require.NoError(t, err)
	var all []string
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
			ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		require.NoError(t, err)
		seen.note(it.ResultMetadata)
		iter := it.ShardIterator
		for {
			out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(limit)})
			require.NoError(t, err, "GetRecords failed even after the SDK's retries")
			seen.note(out.ResultMetadata)
			for _, r := range out.Records {
				all = append(all, string(r.Data))
			}
			if len(out.Records) == 0 {
				break
			}
			iter = out.NextShardIterator
		}
	}
	require.Len(t, all, want)
	return all
}

func records(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		d := make([]byte, size)
		copy(d, fmt.Sprintf("record-%06d-", i))
		out[i] = d
	}
	return out
}

// requireAllOnce checks that got holds each record of want exactly once.
func requireAllOnce(t *testing.T, want [][]byte, got []string) {
	t.Helper()
	w := make([]string, len(want))
	for i := range want {
		w[i] = string(want[i])
	}
	sort.Strings(w)
	sort.Strings(got)
	require.Equal(t, w, got, "every record lands exactly once")
}

func TestServe_LimitsAWS_RetryLoop(t *testing.T) {
	skipShort(t)
	p := startServer(t, t.TempDir(), "--limits", "aws", "--sync", "none")
	c := retryingClient(p.Endpoint)
	ctx := context.Background()
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("limited"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	waitActive(t, c, "limited")
	seen := newRetries()

	// 3,000 records of 1 KiB on one shard: its 1,000 records a second refuse most of them
	// at first, record by record, and the loop sends them again until all have landed.
	data := records(3000, 1024)
	resent := putAll(t, c, "limited", data, seen)
	throttled := "ProvisionedThroughputExceededException: Rate exceeded for shard shardId-000000000000 in stream limited under account 000000000000."
	require.Greater(t, resent[throttled], 0, "no record was throttled: the limits are not enforced")
	require.Len(t, resent, 1, "records failed only for the shard's rate: %v", resent)

	// PutRecord past the quota, from 8 producers at once: the SDK's standard retryer
	// retries the ProvisionedThroughputExceededException itself.
	single := records(2000, 10)
	var wg sync.WaitGroup
	errs := make([]error, len(single))
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < len(single); i += 8 {
				out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("limited"), Data: single[i],
					PartitionKey: aws.String(fmt.Sprint("single-", i))})
				if errs[i] = err; err == nil {
					seen.note(out.ResultMetadata)
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...), "PutRecord failed even after the SDK's retries")
	require.Greater(t, seen.count("ProvisionedThroughputExceededException"), int64(0),
		"the retryer never met a throttled PutRecord")

	// DescribeStreamSummary beyond 20 a second: LimitExceededException, retried.
	for range 60 {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("limited")})
		require.NoError(t, err)
		seen.note(out.ResultMetadata)
	}
	require.Greater(t, seen.count("LimitExceededException"), int64(0), "the retryer never met a control-plane rate")

	// Reading it all back: GetRecords 5 calls and 2 MiB a second, whatever the SDK's
	// retryer meets retried. Whether a call is refused here depends on how fast this
	// machine reads; TestGate_GetRecordsRetryLoop, on the gate's clock, shows that reads
	// past the quota are refused and retried.
	got := readAllData(t, c, "limited", 1000, len(data)+len(single), seen)
	requireAllOnce(t, append(data, single...), got)
	t.Logf("records sent again: %d; retried attempts: %d throttled, %d rate exceeded", resent[throttled],
		seen.count("ProvisionedThroughputExceededException"), seen.count("LimitExceededException"))
}

func TestServe_Inject_RetryLoop(t *testing.T) {
	skipShort(t)
	t.Parallel()
	p := startServer(t, t.TempDir(), "--inject-seed", "7", "--inject",
		"PutRecords.Records:ProvisionedThroughputExceededException:0.2,PutRecords:InternalFailure:0.1,"+
			"GetRecords:ProvisionedThroughputExceededException:0.2,GetShardIterator:InternalFailure:0.3")
	c := retryingClient(p.Endpoint)
	ctx := context.Background()
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("faulty"), ShardCount: aws.Int32(4)})
	require.NoError(t, err)
	waitActive(t, c, "faulty")
	seen := newRetries()

	data := records(2000, 100)
	resent := putAll(t, c, "faulty", data, seen)
	n := 0
	for failure, count := range resent {
		require.Regexp(t, `^ProvisionedThroughputExceededException: Rate exceeded for shard shardId-00000000000[0-3] in stream faulty under account 000000000000\.$`, failure)
		n += count
	}
	require.Greater(t, n, 0, "no record failed: PutRecords.Records is not injected")
	require.Greater(t, seen.count("InternalFailure"), int64(0), "no whole PutRecords failed and was retried")

	before := seen.count("ProvisionedThroughputExceededException")
	got := readAllData(t, c, "faulty", 200, len(data), seen)
	require.Greater(t, seen.count("ProvisionedThroughputExceededException"), before, "no GetRecords failed and was retried")
	requireAllOnce(t, data, got)
	t.Logf("records sent again: %d; retried attempts: %d InternalFailure, %d throttled", n,
		seen.count("InternalFailure"), seen.count("ProvisionedThroughputExceededException"))
}
