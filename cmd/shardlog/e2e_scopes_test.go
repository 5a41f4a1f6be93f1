package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

// scopedClient is an SDK client that signs with key for region.
func scopedClient(endpoint, key, region string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(key, "secret", ""),
		HTTPClient:   testutil.SDKHTTPClient(nil),
	})
}

// TestServe_RegionsAndAccounts runs the binary with a default account and region of its
// own, and clients of three accounts and regions that each make a stream "orders": each
// sees only its own, under its own ARN, before and after a restart; inspect check lists
// the directories of the two that are not the default, and finds everything clean.
func TestServe_RegionsAndAccounts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	scopes := []struct{ key, region, account string }{
		{"AKIDSHARDLOGTEST", "eu-central-1", "999988887777"}, // the default account and region
		{"111122223333", "us-west-2", "111122223333"},
		{"AKIDSHARDLOGTEST", "us-west-2", "999988887777"},
	}
	args := []string{"--account-id", "999988887777", "--region", "eu-central-1"}
	srv := startServer(t, dir, args...)
	for _, sc := range scopes {
		c := scopedClient(srv.Endpoint, sc.key, sc.region)
		_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
		require.NoError(t, err, "CreateStream as %s in %s", sc.account, sc.region)
		waitActive(t, c, "orders")
		_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"),
			Data: []byte(sc.account + " " + sc.region)})
		require.NoError(t, err)
	}
	check := func() {
		t.Helper()
		for _, sc := range scopes {
			c := scopedClient(srv.Endpoint, sc.key, sc.region)
			sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
			require.NoError(t, err)
			require.Equal(t, "arn:aws:kinesis:"+sc.region+":"+sc.account+":stream/orders",
				aws.ToString(sum.StreamDescriptionSummary.StreamARN), "as %s in %s", sc.account, sc.region)
			list, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
			require.NoError(t, err)
			require.Equal(t, []string{"orders"}, list.StreamNames)
			it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"),
				ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			require.NoError(t, err)
			recs, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
			require.NoError(t, err)
			require.Len(t, recs.Records, 1, "records as %s in %s", sc.account, sc.region)
			require.Equal(t, sc.account+" "+sc.region, string(recs.Records[0].Data))
		}
	}
	check()
	srv.Stop(t)
	srv = startServer(t, dir, args...)
	check()
	srv.Stop(t)

	code, stdout, stderr := runCmd(nil, "inspect", "check", dir)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stdout, "scope  account 111122223333 region us-west-2: "+filepath.Join(dir, "accounts", "111122223333", "us-west-2")+"\n")
	require.Contains(t, stdout, "scope  account 999988887777 region us-west-2: "+filepath.Join(dir, "accounts", "999988887777", "us-west-2")+"\n")
	require.Equal(t, 2, strings.Count(stdout, "scope  "), stdout)
	require.Contains(t, stdout, "checked 3 streams, 3 shards")
	require.Contains(t, stdout, "; 0 notes; ok\n")
}

// TestCLI_Region: the AWS CLI v2's --region picks the region a stream lives in, and its
// access key (a 12-digit one) the account.
func TestCLI_Region(t *testing.T) {
	skipShort(t)
	t.Parallel()
	cli := newCLI(t, "")
	srv := startServer(t, t.TempDir())
	cli.endpoint = srv.Endpoint
	run := func(key string, out any, args ...string) {
		t.Helper()
		b, err := cli.command(key, "secret", args).Output()
		require.NoError(t, err, "aws kinesis %s", strings.Join(args, " "))
		if out != nil {
			require.NoError(t, json.Unmarshal(b, out), "aws kinesis %s output: %s", strings.Join(args, " "), b)
		}
	}
	run("AKIDSHARDLOGTEST", nil, "create-stream", "--stream-name", "cli-region", "--shard-count", "1", "--region", "eu-west-1")
	// The CLI's waiter is TestCLI_ClassicFlow's.
	waitActive(t, scopedClient(srv.Endpoint, "AKIDSHARDLOGTEST", "eu-west-1"), "cli-region")
	var sum struct{ StreamDescriptionSummary struct{ StreamARN string } }
	run("AKIDSHARDLOGTEST", &sum, "describe-stream-summary", "--stream-name", "cli-region", "--region", "eu-west-1")
	require.Equal(t, "arn:aws:kinesis:eu-west-1:000000000000:stream/cli-region", sum.StreamDescriptionSummary.StreamARN)

	var list struct{ StreamNames []string }
	run("AKIDSHARDLOGTEST", &list, "list-streams", "--region", "eu-west-1")
	require.Equal(t, []string{"cli-region"}, list.StreamNames)
	for _, other := range []struct{ key, region string }{{"AKIDSHARDLOGTEST", "us-east-1"}, {"111122223333", "eu-west-1"}} {
		list.StreamNames = nil
		run(other.key, &list, "list-streams", "--region", other.region)
		require.Empty(t, list.StreamNames, "list-streams with key %s in %s", other.key, other.region)
	}
}
