package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
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
