package streambackend_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

const sdkPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"write","Effect":"Allow","Principal":{"AWS":"111111111111"},` +
	`"Action":["kinesis:PutRecord","kinesis:PutRecords"],"Resource":"arn:aws:kinesis:us-east-1:000000000000:stream/s"}]}`

// TestResourcePolicy_SDK: the resource policy of a stream through the SDK, from none to
// one, replaced, and deleted, with the errors of each operation.
func TestResourcePolicy_SDK(t *testing.T) {
	ctx := context.Background()
	client, _ := mustServeStream(t, stream.Options{})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")

	requirePolicy := func(want string) {
		t.Helper()
		out, err := client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
		require.NoError(t, err)
		require.Equal(t, want, aws.ToString(out.Policy))
	}
	requirePolicy("{}")
	_, err = client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(sdkPolicy)})
	require.NoError(t, err)
	requirePolicy(sdkPolicy)
	_, err = client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(`{"Version":"2012-10-17"}`)})
	require.NoError(t, err)
	requirePolicy(`{"Version":"2012-10-17"}`)
	_, err = client.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: arn})
	require.NoError(t, err)
	requirePolicy("{}")
	_, err = client.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: arn})
	require.NoError(t, err, "deleting no policy")

	consumer := "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1700000000"
	foreign := "arn:aws:kinesis:eu-west-1:000000000000:stream/s"
	tests := []struct {
		name      string
		call      func() error
		target    any
		code, msg string
	}{
		{"Put not JSON", func() error {
			_, err := client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String("{\"Version\":")})
			return err
		}, new(*types.InvalidArgumentException), "InvalidArgumentException", "Policy is not a valid JSON policy document: it must be a JSON object."},
		{"Put too large", func() error {
			_, err := client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn,
				Policy: aws.String(`{"Sid":"` + strings.Repeat("x", 20<<10) + `"}`)})
			return err
		}, new(*types.InvalidArgumentException), "InvalidArgumentException", "Policy of 20490 bytes exceeds the maximum size of 20480 bytes."},
		{"Put no policy", func() error {
			_, err := client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String("")})
			return err
		}, new(*types.InvalidArgumentException), "InvalidArgumentException", "Policy is not a valid JSON policy document: it must be a JSON object."},
		{"Put no stream", func() error {
			_, err := client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/nope"),
				Policy: aws.String("{}")})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", "Resource arn:aws:kinesis:us-east-1:000000000000:stream/nope not found."},
		{"Put a consumer", func() error {
			_, err := client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(consumer), Policy: aws.String("{}")})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", "Resource " + consumer + " not found."},
		{"Get a consumer", func() error {
			_, err := client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(consumer)})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", "Resource " + consumer + " not found."},
		{"Delete a consumer", func() error {
			_, err := client.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(consumer)})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", "Resource " + consumer + " not found."},
		{"Get another region", func() error {
			_, err := client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(foreign)})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", "Resource " + foreign + " not found."},
		{"Put another region", func() error {
			_, err := client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(foreign), Policy: aws.String("{}")})
			return err
		}, new(*types.ResourceNotFoundException), "ResourceNotFoundException", "Resource " + foreign + " not found."},
		{"Put not an ARN", func() error {
			_, err := client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String("s"), Policy: aws.String("{}")})
			return err
		}, nil, "ValidationException", "1 validation error detected: Value 's' at 'resourceARN' failed to satisfy constraint: " +
			"Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.*stream/\\S+"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.target != nil {
				require.ErrorAs(t, err, tt.target)
			}
			requireSDKError(t, err, tt.code, tt.msg)
		})
	}
	requirePolicy("{}")
}

// TestResourcePolicy_Restart: a policy put through the server is there after the server
// and its store are restarted on the same directory; deleting the stream deletes it.
func TestResourcePolicy_Restart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")
	serve := func() (*kinesis.Client, func()) {
		st, err := stream.Open(dir, stream.Options{Shard: shardSyncAlways(), Logger: discardLogger()})
		require.NoError(t, err)
		s := server.New(streambackend.New(st), server.Options{Logger: discardLogger()})
		ts := httptest.NewServer(s)
		client := newSDKClient(ts.URL, ts.Client())
		return client, func() {
			ts.Close()
			require.NoError(t, st.Close())
		}
	}
	client, stop := serve()
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	_, err = client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(sdkPolicy)})
	require.NoError(t, err)
	stop()

	client, stop = serve()
	defer stop()
	out, err := client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	require.NoError(t, err)
	require.Equal(t, sdkPolicy, aws.ToString(out.Policy), "after a restart")
	_, err = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	require.NoError(t, err)
	_, err = client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	requireSDKError(t, err, "ResourceNotFoundException", "Resource "+aws.ToString(arn)+" not found.")
	_, err = client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	out, err = client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	require.NoError(t, err)
	require.Equal(t, "{}", aws.ToString(out.Policy), "a stream created again has no policy")
}

func shardSyncAlways() shard.Options { return shard.Options{Sync: shard.SyncAlways} }
