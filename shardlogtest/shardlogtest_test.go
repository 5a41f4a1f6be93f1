package shardlogtest_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/shardlogtest"
)

// TestNew runs the example test of example_new_test.go.
func TestNew(t *testing.T) { testPublishOrder(t) }

// TestNew_Streams: the streams of Options are ACTIVE when New returns, with their shard
// counts and modes, and the endpoint serves plain HTTP on 127.0.0.1.
func TestNew_Streams(t *testing.T) {
	srv := shardlogtest.New(t, shardlogtest.Options{CreateDelay: time.Hour, Streams: []shardlogtest.Stream{
		{Name: "one"}, {Name: "four", Shards: 4}, {Name: "od", Mode: "ON_DEMAND"}, {Name: "od1", Shards: 1, Mode: "ON_DEMAND"},
	}})
	require.True(t, strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:"), "Endpoint %s", srv.Endpoint)
	want := map[string]struct {
		shards int32
		mode   types.StreamMode
	}{
		"one": {1, types.StreamModeProvisioned}, "four": {4, types.StreamModeProvisioned},
		"od": {4, types.StreamModeOnDemand}, "od1": {1, types.StreamModeOnDemand},
	}
	for name, w := range want {
		d, err := srv.Client.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		require.NoError(t, err)
		s := d.StreamDescriptionSummary
		require.Equal(t, types.StreamStatusActive, s.StreamStatus, "%s status", name)
		require.Equal(t, w.shards, *s.OpenShardCount, "%s open shards", name)
		require.Equal(t, w.mode, s.StreamModeDetails.StreamMode, "%s mode", name)
	}
}

// TestStart_Invalid: options the server cannot start with are an error, and leave no
// directory behind.
func TestStart_Invalid(t *testing.T) {
	for name, opts := range map[string]shardlogtest.Options{
		"sync":        {Sync: "sometimes"},
		"stream mode": {Streams: []shardlogtest.Stream{{Name: "a", Mode: "SOMETIMES"}}},
		"twice":       {Streams: []shardlogtest.Stream{{Name: "a"}, {Name: "a"}}},
		"shard limit": {ShardLimit: 2, Streams: []shardlogtest.Stream{{Name: "a", Shards: 3}}},
	} {
		srv, err := shardlogtest.Start(opts)
		require.Error(t, err, "Start with a bad %s", name)
		require.Nil(t, srv)
	}
}

// TestServer_Reset: Reset deletes every stream, of every region and with consumers, at
// once although DeleteStream would keep them DELETING for an hour; the names are free at
// once after it.
func TestServer_Reset(t *testing.T) {
	ctx := context.Background()
	srv := shardlogtest.New(t, shardlogtest.Options{DeleteDelay: time.Hour,
		Streams: []shardlogtest.Stream{{Name: "a", Shards: 2}, {Name: "b"}}})
	eu := srv.NewClient(func(o *kinesis.Options) { o.Region = "eu-west-1" })
	_, err := eu.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("a"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	d, err := srv.Client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("a")})
	require.NoError(t, err)
	_, err = srv.Client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: d.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("c")})
	require.NoError(t, err)

	require.NoError(t, srv.Reset())
	for _, kc := range []*kinesis.Client{srv.Client, eu} {
		l, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{})
		require.NoError(t, err)
		require.Empty(t, l.StreamNames, "streams after Reset")
		_, err = kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("a"), ShardCount: aws.Int32(1)})
		require.NoError(t, err, "CreateStream of a name Reset freed")
	}
}

// TestServer_Close: a Server made by Start removes its directory at Close; a second Close
// returns at once with the first one's result.
func TestServer_Close(t *testing.T) {
	srv, err := shardlogtest.Start(shardlogtest.Options{Streams: []shardlogtest.Stream{{Name: "a"}}})
	require.NoError(t, err)
	require.DirExists(t, srv.Dir)
	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close())
	_, err = os.Stat(srv.Dir)
	require.ErrorIs(t, err, os.ErrNotExist, "the directory after Close")
	_, err = srv.Client.ListStreams(context.Background(), &kinesis.ListStreamsInput{}, func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
	require.Error(t, err, "a call after Close")
}
