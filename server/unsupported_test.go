package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

// TestUnsupported_ModelOperations: an operation of the service model that shardlog does not
// carry out answers UnknownOperationException naming it, so that a CLI user reads why;
// the SDK sends each of them as it would to AWS.
func TestUnsupported_ModelOperations(t *testing.T) {
	ctx := context.Background()
	client, _ := mustServeSDK(t)
	consumerARN := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1")
	calls := map[string]func() error{
		"CreateChannel": func() error {
			_, err := client.CreateChannel(ctx, &kinesis.CreateChannelInput{ChannelName: aws.String("c"),
				ServiceExecutionRoleARN: aws.String("arn:aws:iam::000000000000:role/r"), StreamConfigurationList: []types.ChannelStreamConfiguration{}})
			return err
		},
		"DescribeChannel": func() error {
			_, err := client.DescribeChannel(ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:channel/c")})
			return err
		},
		"ListChannels": func() error {
			_, err := client.ListChannels(ctx, &kinesis.ListChannelsInput{})
			return err
		},
		"UpdateChannel": func() error {
			_, err := client.UpdateChannel(ctx, &kinesis.UpdateChannelInput{ChannelARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:channel/c")})
			return err
		},
		"DeleteChannel": func() error {
			_, err := client.DeleteChannel(ctx, &kinesis.DeleteChannelInput{ChannelARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:channel/c")})
			return err
		},
	}
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			requireSDKError(t, call(), "UnknownOperationException", op+" is not supported by shardlog")
		})
	}
	t.Run("SubscribeToShard", func(t *testing.T) {
		_, err := client.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: consumerARN, ShardId: aws.String("shardId-000000000000"),
			StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
		requireSDKError(t, err, "UnknownOperationException", "SubscribeToShard is not supported by shardlog")
	})
}

// TestUnsupported_Wire: the answers on the wire. A name the model does not have keeps
// AWS's answer, a bare UnknownOperationException, and so does another service's target;
// an operation the model has but shardlog does not carry out is named, with a body or
// without, in the request's format.
func TestUnsupported_Wire(t *testing.T) {
	cases := []struct {
		name, target, contentType, body string
		want                            string
	}{
		{"not in the model", "Kinesis_20131202.CreateChanel", "application/x-amz-json-1.1", "{}",
			`{"__type":"UnknownOperationException"}`},
		{"other service", "DynamoDB_20120810.CreateChannel", "application/x-amz-json-1.1", "{}",
			`{"__type":"UnknownOperationException"}`},
		{"in the model", "Kinesis_20131202.CreateChannel", "application/x-amz-json-1.1", "{}",
			`{"__type":"UnknownOperationException","message":"CreateChannel is not supported by shardlog"}`},
		{"in the model, empty body", "Kinesis_20131202.ListChannels", "application/x-amz-json-1.1", "",
			`{"__type":"UnknownOperationException","message":"ListChannels is not supported by shardlog"}`},
		{"in the model, cbor", "Kinesis_20131202.SubscribeToShard", "application/x-amz-cbor-1.1", "\xa0",
			"\xa2" + cborText("__type") + cborText("UnknownOperationException") + cborText("message") +
				cborText("SubscribeToShard is not supported by shardlog")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, b := mustNew(t, server.Options{})
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", tc.contentType)
			r.Header.Set("X-Amz-Target", tc.target)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			require.Equal(t, http.StatusBadRequest, w.Code)
			require.Equal(t, tc.want, w.Body.String())
			require.Equal(t, "UnknownOperationException", header(w.Header(), "x-amzn-ErrorType"))
			require.Zero(t, b.callCount(), "no Backend call")
		})
	}
}
