package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

func (f *fakeBackend) RegisterStreamConsumer(_ context.Context, in *server.RegisterStreamConsumerInput) (*server.RegisterStreamConsumerOutput, error) {
	return reply[server.RegisterStreamConsumerOutput](f, "RegisterStreamConsumer", in)
}

func (f *fakeBackend) DescribeStreamConsumer(_ context.Context, in *server.DescribeStreamConsumerInput) (*server.DescribeStreamConsumerOutput, error) {
	return reply[server.DescribeStreamConsumerOutput](f, "DescribeStreamConsumer", in)
}

func (f *fakeBackend) ListStreamConsumers(_ context.Context, in *server.ListStreamConsumersInput) (*server.ListStreamConsumersOutput, error) {
	return reply[server.ListStreamConsumersOutput](f, "ListStreamConsumers", in)
}

func (f *fakeBackend) DeregisterStreamConsumer(_ context.Context, in *server.DeregisterStreamConsumerInput) (*server.DeregisterStreamConsumerOutput, error) {
	return reply[server.DeregisterStreamConsumerOutput](f, "DeregisterStreamConsumer", in)
}

const (
	wireStreamARN   = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	wireConsumerARN = wireStreamARN + "/consumer/c:1700000000"
)

// TestConsumers_SDK: what the SDK sends reaches the Backend member for member, and what the
// Backend answers, the SDK reads back.
func TestConsumers_SDK(t *testing.T) {
	ctx := context.Background()
	client, b := mustServeSDK(t)
	created := time.UnixMilli(1700000000123).UTC()
	consumer := server.Consumer{ConsumerName: "c", ConsumerARN: wireConsumerARN, ConsumerStatus: server.ConsumerStatusCreating,
		ConsumerCreationTimestamp: created}
	want := types.Consumer{ConsumerName: aws.String("c"), ConsumerARN: aws.String(wireConsumerARN),
		ConsumerStatus: types.ConsumerStatusCreating, ConsumerCreationTimestamp: aws.Time(created)}

	b.setOutput("RegisterStreamConsumer", &server.RegisterStreamConsumerOutput{Consumer: consumer})
	reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(wireStreamARN),
		ConsumerName: aws.String("c"), Tags: map[string]string{"k": "v"}})
	require.NoError(t, err)
	requireCall(t, b, "RegisterStreamConsumer", &server.RegisterStreamConsumerInput{StreamARN: wireStreamARN, ConsumerName: "c",
		Tags: map[string]string{"k": "v"}})
	require.Equal(t, want, *reg.Consumer)

	b.setOutput("DescribeStreamConsumer", &server.DescribeStreamConsumerOutput{ConsumerDescription: server.ConsumerDescription{
		ConsumerName: "c", ConsumerARN: wireConsumerARN, ConsumerStatus: server.ConsumerStatusActive,
		ConsumerCreationTimestamp: created, StreamARN: wireStreamARN}})
	desc, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(wireConsumerARN)})
	require.NoError(t, err)
	requireCall(t, b, "DescribeStreamConsumer", &server.DescribeStreamConsumerInput{ConsumerARN: wireConsumerARN})
	require.Equal(t, types.ConsumerDescription{ConsumerName: aws.String("c"), ConsumerARN: aws.String(wireConsumerARN),
		ConsumerStatus: types.ConsumerStatusActive, ConsumerCreationTimestamp: aws.Time(created), StreamARN: aws.String(wireStreamARN)},
		*desc.ConsumerDescription)
	_, err = client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(wireStreamARN), ConsumerName: aws.String("c")})
	require.NoError(t, err)
	requireCall(t, b, "DescribeStreamConsumer", &server.DescribeStreamConsumerInput{StreamARN: wireStreamARN, ConsumerName: "c"})

	b.setOutput("ListStreamConsumers", &server.ListStreamConsumersOutput{Consumers: []server.Consumer{consumer}, NextToken: "next"})
	list, err := client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(wireStreamARN),
		MaxResults: aws.Int32(5), StreamCreationTimestamp: aws.Time(created)})
	require.NoError(t, err)
	requireCall(t, b, "ListStreamConsumers", &server.ListStreamConsumersInput{StreamARN: wireStreamARN, MaxResults: aws.Int32(5),
		StreamCreationTimestamp: &created})
	require.Equal(t, []types.Consumer{want}, list.Consumers)
	require.Equal(t, "next", aws.ToString(list.NextToken))
	b.setOutput("ListStreamConsumers", &server.ListStreamConsumersOutput{})
	list, err = client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(wireStreamARN), NextToken: aws.String("next")})
	require.NoError(t, err)
	requireCall(t, b, "ListStreamConsumers", &server.ListStreamConsumersInput{StreamARN: wireStreamARN, NextToken: "next"})
	require.Empty(t, list.Consumers)
	require.Nil(t, list.NextToken)

	_, err = client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{StreamARN: aws.String(wireStreamARN), ConsumerName: aws.String("c")})
	require.NoError(t, err)
	requireCall(t, b, "DeregisterStreamConsumer", &server.DeregisterStreamConsumerInput{StreamARN: wireStreamARN, ConsumerName: "c"})
	_, err = client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(wireConsumerARN),
		StreamARN: aws.String(wireStreamARN), ConsumerName: aws.String("c")})
	require.NoError(t, err, "both ways, agreeing")
	requireCall(t, b, "DeregisterStreamConsumer", &server.DeregisterStreamConsumerInput{ConsumerARN: wireConsumerARN,
		StreamARN: wireStreamARN, ConsumerName: "c"})
}

func requireCall(t *testing.T, b *fakeBackend, op string, want any) {
	t.Helper()
	gotOp, in := b.lastCall()
	require.Equal(t, op, gotOp)
	require.Equal(t, want, in)
}

// TestConsumers_Wire_Refused: the requests refused before the Backend, with AWS's types: a
// consumer named neither way, two ways that disagree, and the model's constraints.
func TestConsumers_Wire_Refused(t *testing.T) {
	neither := `{"__type":"InvalidArgumentException","message":"Either ConsumerARN or both StreamARN and ConsumerName must be provided."}`
	otherStream := "arn:aws:kinesis:us-east-1:000000000000:stream/t"
	pattern := `^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+$`
	tests := []struct {
		name, op, body, want string
	}{
		{"describe, nothing", "DescribeStreamConsumer", `{}`, neither},
		{"describe, stream only", "DescribeStreamConsumer", `{"StreamARN":"` + wireStreamARN + `"}`, neither},
		{"describe, name only", "DescribeStreamConsumer", `{"ConsumerName":"c"}`, neither},
		{"deregister, nothing", "DeregisterStreamConsumer", `{}`, neither},
		{"deregister, name only", "DeregisterStreamConsumer", `{"ConsumerName":"c"}`, neither},
		{"describe, other stream", "DescribeStreamConsumer", `{"ConsumerARN":"` + wireConsumerARN + `","StreamARN":"` + otherStream + `"}`,
			`{"__type":"InvalidArgumentException","message":"ConsumerARN ` + wireConsumerARN + ` does not match StreamARN ` + otherStream + `."}`},
		{"deregister, other name", "DeregisterStreamConsumer", `{"ConsumerARN":"` + wireConsumerARN + `","ConsumerName":"d"}`,
			`{"__type":"InvalidArgumentException","message":"ConsumerARN ` + wireConsumerARN + ` does not match ConsumerName d."}`},
		{"register, no stream", "RegisterStreamConsumer", `{"ConsumerName":"c"}`,
			`{"__type":"ValidationException","message":"1 validation error detected: Value null at 'streamARN' failed to satisfy constraint: Member must not be null"}`},
		{"register, bad name", "RegisterStreamConsumer", `{"StreamARN":"` + wireStreamARN + `","ConsumerName":"a:b"}`,
			`{"__type":"ValidationException","message":"1 validation error detected: Value 'a:b' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"}`},
		{"describe, bad ARN", "DescribeStreamConsumer", `{"ConsumerARN":"` + wireStreamARN + `"}`,
			`{"__type":"ValidationException","message":"1 validation error detected: Value '` + wireStreamARN + `' at 'consumerARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ` + pattern + `"}`},
		{"list, no stream", "ListStreamConsumers", `{}`,
			`{"__type":"ValidationException","message":"1 validation error detected: Value null at 'streamARN' failed to satisfy constraint: Member must not be null"}`},
		{"list, MaxResults 0", "ListStreamConsumers", `{"StreamARN":"` + wireStreamARN + `","MaxResults":0}`,
			`{"__type":"ValidationException","message":"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"}`},
		{"list, MaxResults 10001", "ListStreamConsumers", `{"StreamARN":"` + wireStreamARN + `","MaxResults":10001}`,
			`{"__type":"ValidationException","message":"1 validation error detected: Value '10001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, b := mustNew(t, server.Options{})
			w := do(t, h, tt.op, tt.body)
			require.Equal(t, 400, w.Code)
			require.Equal(t, tt.want, w.Body.String())
			require.Zero(t, b.callCount(), "no Backend call")
		})
	}
}
