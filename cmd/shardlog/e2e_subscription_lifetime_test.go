package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"
)

// TestServe_SubscriptionLifetime: --subscription-lifetime ends a SubscribeToShard stream
// after that long, without an error, where AWS ends it after 5 minutes, so that a consumer's
// renewal can be tested in seconds; the records pushed before the end are all there.
func TestServe_SubscriptionLifetime(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), "--register-consumer-delay", "0", "--subscription-lifetime", "400ms")
	client := newClient(srv.Endpoint)
	ctx := context.Background()
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("life"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	waitActive(t, client, "life")
	reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/life"), ConsumerName: aws.String("c")})
	require.NoError(t, err)
	put, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("life"), PartitionKey: aws.String("k"), Data: []byte("r0")})
	require.NoError(t, err)

	// A bound far below the default lifetime of 5 minutes, far above the flag's 400 ms.
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := newClient(srv.Endpoint).SubscribeToShard(sctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN,
		ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	require.NoError(t, err)
	defer out.GetStream().Close()
	var seqs []string
	for ev := range out.GetStream().Events() {
		e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		require.True(t, ok, "event %T", ev)
		for _, r := range e.Value.Records {
			seqs = append(seqs, aws.ToString(r.SequenceNumber))
		}
	}
	require.NoError(t, out.GetStream().Err(), "the end of a subscription's lifetime is no error")
	require.NoError(t, sctx.Err(), "the subscription ended by the 30 s bound of the test, not by --subscription-lifetime")
	require.Equal(t, []string{aws.ToString(put.SequenceNumber)}, seqs)
}

// TestServe_SubscriptionLifetimeFlag: a lifetime that is not positive is refused at start.
func TestServe_SubscriptionLifetimeFlag(t *testing.T) {
	for _, v := range []string{"0", "-1s"} {
		var out, errOut bytes.Buffer
		require.Equal(t, 2, run([]string{"serve", "--data", t.TempDir(), "--subscription-lifetime", v}, &out, &errOut), "serve --subscription-lifetime %s", v)
		require.Contains(t, errOut.String(), "shardlog serve: --subscription-lifetime ", "serve --subscription-lifetime %s", v)
		require.Contains(t, errOut.String(), ": want a positive duration", "serve --subscription-lifetime %s", v)
	}
}
