package streambackend_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// A scopeClient is an SDK client that signs with one access key for one region: one
// account and region of a test suite that uses several.
type scopeClient struct {
	key, region string
	account     string // the account the server takes the key for
	*kinesis.Client
}

// scopeClients are the clients of the tests with several accounts and regions: the
// default account and region, the default account in another region, two accounts given
// by 12-digit keys in two regions, and a key that is not an account id in another region.
func scopeClients(endpoint string) []scopeClient {
	specs := []struct{ key, region, account string }{
		{"AKIDEXAMPLE", "us-east-1", "000000000000"},
		{"AKIDEXAMPLE", "eu-west-1", "000000000000"},
		{"111122223333", "us-east-1", "111122223333"},
		{"111122223333", "eu-west-1", "111122223333"},
		{"444455556666", "eu-west-1", "444455556666"},
	}
	out := make([]scopeClient, len(specs))
	for i, s := range specs {
		out[i] = scopeClient{key: s.key, region: s.region, account: s.account, Client: kinesis.New(kinesis.Options{
			Region:           s.region,
			Credentials:      credentials.NewStaticCredentialsProvider(s.key, "SECRET", ""),
			BaseEndpoint:     aws.String(endpoint),
			RetryMaxAttempts: 1,
			HTTPClient:       testutil.SDKHTTPClient(nil),
		})}
	}
	return out
}

func (c scopeClient) String() string { return c.account + "/" + c.region }

func (c scopeClient) arn(name string) string {
	return "arn:aws:kinesis:" + c.region + ":" + c.account + ":stream/" + name
}

// mustOpenScoped opens a Scoped over dir (the server's default account and region are
// 000000000000 and us-east-1) and closes it when the test ends.
func mustOpenScoped(t testing.TB, dir string) *streambackend.Scoped {
	t.Helper()
	m, err := streambackend.Open(dir, stream.Options{Shard: shard.Options{Sync: shard.SyncNone}, Logger: discardLogger()})
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	return m
}

// serveScoped serves m on an httptest.Server and returns its clients.
func serveScoped(t testing.TB, m *streambackend.Scoped) (clients []scopeClient, stop func()) {
	t.Helper()
	ts := httptest.NewServer(server.New(m, server.Options{Logger: discardLogger()}))
	t.Cleanup(ts.Close)
	return scopeClients(ts.URL), ts.Close
}

// TestScoped_RegionsAndAccounts is item 4: one server serves clients of two regions and
// two accounts (12-digit access key ids), each with a stream of the same name, and keeps
// them apart, in answers and on disk, across a restart.
func TestScoped_RegionsAndAccounts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m := mustOpenScoped(t, dir)
	clients, stop := serveScoped(t, m)
	for i, c := range clients {
		for _, name := range []string{"orders", fmt.Sprintf("only-%d", i)} {
			_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)})
			require.NoError(t, err, "CreateStream %s as %s", name, c)
		}
		_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"),
			Data: []byte("from " + c.String())})
		require.NoError(t, err, "PutRecord as %s", c)
	}
	requireScopesApart(t, clients)

	stop()
	require.NoError(t, m.Close())
	m = mustOpenScoped(t, dir)
	clients, _ = serveScoped(t, m)
	requireScopesApart(t, clients)

	rep, err := stream.Check(dir, stream.CheckOptions{})
	require.NoError(t, err)
	require.Empty(t, rep.Problems)
	require.Equal(t, 2*len(clients), rep.Streams)
	var scopes []string
	for _, sc := range rep.Scopes {
		scopes = append(scopes, sc.Account+"/"+sc.Region)
	}
	require.Equal(t, []string{"000000000000/eu-west-1", "111122223333/eu-west-1", "111122223333/us-east-1",
		"444455556666/eu-west-1"}, scopes, "the scope directories besides the root")
}

// requireScopesApart checks that each client sees its own two streams, under its own
// ARNs, with its own record, and none of the others'.
func requireScopesApart(t *testing.T, clients []scopeClient) {
	t.Helper()
	ctx := context.Background()
	for i, c := range clients {
		own := fmt.Sprintf("only-%d", i)
		list, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
		require.NoError(t, err, "ListStreams as %s", c)
		require.Equal(t, []string{own, "orders"}, list.StreamNames, "ListStreams as %s", c)
		var arns []string
		for _, s := range list.StreamSummaries {
			arns = append(arns, aws.ToString(s.StreamARN))
		}
		sort.Strings(arns)
		require.Equal(t, []string{c.arn(own), c.arn("orders")}, arns, "ListStreams' ARNs as %s", c)

		sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
		require.NoError(t, err, "DescribeStreamSummary as %s", c)
		require.Equal(t, c.arn("orders"), aws.ToString(sum.StreamDescriptionSummary.StreamARN), "ARN as %s", c)
		byARN, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamARN: aws.String(c.arn("orders"))})
		require.NoError(t, err, "DescribeStream by its own ARN as %s", c)
		require.Equal(t, c.arn("orders"), aws.ToString(byARN.StreamDescription.StreamARN))

		require.Equal(t, []string{"from " + c.String()}, readAll(t, c, "orders"), "the records of orders as %s", c)

		for j := range clients {
			if j == i {
				continue
			}
			_, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(fmt.Sprintf("only-%d", j))})
			requireSDKError(t, err, "ResourceNotFoundException",
				fmt.Sprintf("Stream only-%d under account %s not found.", j, c.account))
		}
	}
}

// readAll reads the records of the one shard of a stream from its trim horizon.
func readAll(t *testing.T, c scopeClient, name string) []string {
	t.Helper()
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	require.NoError(t, err, "GetShardIterator as %s", c)
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	require.NoError(t, err, "GetRecords as %s", c)
	var data []string
	for _, r := range out.Records {
		data = append(data, string(r.Data))
	}
	return data
}

// TestScoped_ForeignARN: a StreamARN names a stream of its own account and region. A
// request signed for another region, or by another account, that names it by ARN reaches
// no stream, not even the caller's stream of the same name: ResourceNotFoundException in
// the words of the ARN's account, and nothing written.
func TestScoped_ForeignARN(t *testing.T) {
	ctx := context.Background()
	m := mustOpenScoped(t, t.TempDir())
	clients, _ := serveScoped(t, m)
	for _, c := range clients {
		_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
		require.NoError(t, err, "CreateStream as %s", c)
	}
	for _, c := range clients {
		for _, owner := range clients {
			if owner.String() == c.String() {
				continue
			}
			arn := owner.arn("orders")
			want := "Stream orders under account " + owner.account + " not found."
			_, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(arn)})
			requireSDKError(t, err, "ResourceNotFoundException", want)
			_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String(arn), PartitionKey: aws.String("k"), Data: []byte("x")})
			requireSDKError(t, err, "ResourceNotFoundException", want)
			_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamARN: aws.String(arn), Tags: map[string]string{"a": "b"}})
			requireSDKError(t, err, "ResourceNotFoundException", want)
			_, err = c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{"a": "b"}})
			requireSDKError(t, err, "ResourceNotFoundException", "Resource "+arn+" not found.")
		}
	}
	// A shard iterator is sealed with the key of its account and region's data directory:
	// presented in another, it is no iterator.
	it, err := clients[0].GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	require.NoError(t, err)
	for _, c := range clients[1:] {
		_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		requireSDKError(t, err, "InvalidArgumentException", "Invalid ShardIterator.")
	}
	for _, c := range clients {
		require.Empty(t, readAll(t, c, "orders"), "orders of %s after PutRecords by foreign ARNs", c)
		tags, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("orders")})
		require.NoError(t, err)
		require.Empty(t, tags.Tags, "tags of orders of %s", c)
	}
}

// TestScoped_DefaultAccountFallback: a key that is not 12 digits acts in the server's
// default account (stream.Options.Account, shardlog serve's --account-id); a 12-digit key
// equal to it is that account too. (The SDK refuses to sign for a malformed region: the
// server's own tests cover that case, TestScopeFrom_CredentialScope.)
func TestScoped_DefaultAccountFallback(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m, err := streambackend.Open(dir, stream.Options{Account: "999988887777", Region: "ap-south-1",
		Shard: shard.Options{Sync: shard.SyncNone}, Logger: discardLogger()})
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	ts := httptest.NewServer(server.New(m, server.Options{Logger: discardLogger()}))
	t.Cleanup(ts.Close)
	client := func(key, region string) *kinesis.Client {
		return kinesis.New(kinesis.Options{Region: region, Credentials: credentials.NewStaticCredentialsProvider(key, "SECRET", ""),
			BaseEndpoint: aws.String(ts.URL), RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(nil)})
	}
	_, err = client("test", "ap-south-1").CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	for _, c := range []struct{ key, region string }{{"test", "ap-south-1"}, {"AKIA0000111122223333", "ap-south-1"},
		{"1111222233334", "ap-south-1"}, {"999988887777", "ap-south-1"}} {
		sum, err := client(c.key, c.region).DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
		require.NoError(t, err, "DescribeStreamSummary with key %s in %s", c.key, c.region)
		require.Equal(t, "arn:aws:kinesis:ap-south-1:999988887777:stream/s", aws.ToString(sum.StreamDescriptionSummary.StreamARN),
			"with key %s in %s", c.key, c.region)
	}
	_, err = client("test", "us-east-1").DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	requireSDKError(t, err, "ResourceNotFoundException", "Stream s under account 999988887777 not found.")
	scopes, err := stream.ScopeDirs(dir)
	require.NoError(t, err)
	require.Equal(t, []stream.ScopeDir{{Account: "999988887777", Region: "us-east-1",
		Dir: stream.ScopeDirOf(dir, "999988887777", "us-east-1")}}, scopes, "the default account's store for us-east-1, and no other")
}

// TestScoped_FirstUseConcurrently: requests that arrive together for an account and region
// not open yet share one Store (a second stream.Open of its directory would be refused
// with ErrLocked).
func TestScoped_FirstUseConcurrently(t *testing.T) {
	m := mustOpenScoped(t, t.TempDir())
	const n = 16
	got := make([]*stream.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = m.Store(server.Scope{Account: "111122223333", Region: "eu-west-1"}) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "Store %d", i)
		require.Same(t, got[0], got[i], "Store %d", i)
	}
}
