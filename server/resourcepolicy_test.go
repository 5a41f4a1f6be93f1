package server_test

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

func (f *fakeBackend) PutResourcePolicy(_ context.Context, in *server.PutResourcePolicyInput) (*server.PutResourcePolicyOutput, error) {
	return reply[server.PutResourcePolicyOutput](f, "PutResourcePolicy", in)
}

func (f *fakeBackend) GetResourcePolicy(_ context.Context, in *server.GetResourcePolicyInput) (*server.GetResourcePolicyOutput, error) {
	return reply[server.GetResourcePolicyOutput](f, "GetResourcePolicy", in)
}

func (f *fakeBackend) DeleteResourcePolicy(_ context.Context, in *server.DeleteResourcePolicyInput) (*server.DeleteResourcePolicyOutput, error) {
	return reply[server.DeleteResourcePolicyOutput](f, "DeleteResourcePolicy", in)
}

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

// TestResourcePolicy_Wire: what the SDK sends reaches the Backend member for member, and
// what the Backend answers reaches the SDK.
func TestResourcePolicy_Wire(t *testing.T) {
	ctx := context.Background()
	client, b := mustServeSDK(t)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1700000000"
	_, err := client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(arn), Policy: aws.String(sdkPolicy)})
	require.NoError(t, err)
	op, in := b.lastCall()
	require.Equal(t, "PutResourcePolicy", op)
	require.Equal(t, &server.PutResourcePolicyInput{ResourceARN: arn, Policy: sdkPolicy}, in)

	b.setOutput("GetResourcePolicy", &server.GetResourcePolicyOutput{Policy: sdkPolicy})
	out, err := client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, sdkPolicy, aws.ToString(out.Policy))
	op, in = b.lastCall()
	require.Equal(t, "GetResourcePolicy", op)
	require.Equal(t, &server.GetResourcePolicyInput{ResourceARN: arn}, in)

	_, err = client.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(arn)})
	require.NoError(t, err)
	op, in = b.lastCall()
	require.Equal(t, "DeleteResourcePolicy", op)
	require.Equal(t, &server.DeleteResourcePolicyInput{ResourceARN: arn}, in)

	_, err = client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(arn)})
	require.Error(t, err, "the SDK refuses a request without Policy")
	h := mustNewHandler(t, b)
	r := do(t, h, "PutResourcePolicy", `{"ResourceARN":"`+arn+`","Policy":"{}","StreamId":"abcdefghij0123456789-abc"}`)
	require.Equal(t, 200, r.Code, "body %s", r.Body)
	_, in = b.lastCall()
	require.Equal(t, &server.PutResourcePolicyInput{ResourceARN: arn, Policy: "{}", StreamId: "abcdefghij0123456789-abc"}, in)
	calls := b.callCount()
	r = do(t, h, "PutResourcePolicy", `{"ResourceARN":"`+arn+`"}`)
	require.Equal(t, 400, r.Code)
	require.Equal(t, `{"__type":"ValidationException","message":"1 validation error detected: Value null at 'policy' failed to satisfy `+
		`constraint: Member must not be null"}`, r.Body.String())
	require.Equal(t, calls, b.callCount(), "a request without Policy reaches no Backend")
}

// mustNewHandler returns a server for b.
func mustNewHandler(t *testing.T, b *fakeBackend) *server.Server {
	t.Helper()
	return server.New(b, server.Options{Logger: quietLogger()})
}
