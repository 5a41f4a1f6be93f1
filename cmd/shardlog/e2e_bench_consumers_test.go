package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/bench"
)

// TestBench_Consumers: `shardlog bench --consumers 2` against the server binary has each
// consumer pushed every record once and in order, reads the server's cost from its
// /metrics, and deregisters the consumers at the end; with --keep they and the stream stay.
func TestBench_Consumers(t *testing.T) {
	t.Parallel()
	for _, keep := range []bool{false, true} {
		srv := startServer(t, t.TempDir(), "--register-consumer-delay", "0")
		args := []string{"bench", "--endpoint", srv.Endpoint, "--consumers", "2", "--records", "2000", "--batch", "100",
			"--connections", "2", "--json", "--quiet"}
		if keep {
			args = append(args, "--keep")
		}
		out, err := exec.Command(binPath, args...).Output()
		require.NoError(t, err, "%s", out)
		var r bench.Result
		require.NoError(t, json.Unmarshal(out, &r), "%s", out)
		f := r.FanOut
		require.NotNil(t, f, "%s", out)
		require.Equal(t, 2, f.Consumers)
		require.Equal(t, 8, f.Subscriptions) // 4 shards by default
		require.Equal(t, int64(4000), f.Records)
		require.Len(t, f.PerConsumer, 2)
		for _, c := range f.PerConsumer {
			require.True(t, c.Verify.OK, "%+v", c.Verify)
			require.Equal(t, int64(2000), c.Records)
			require.Equal(t, uint64(2000), c.Latency.Calls)
		}
		require.NotNil(t, f.Server, "the server's /metrics")
		require.Equal(t, "metrics", f.Server.CPUFrom)
		require.Equal(t, "metrics", f.Server.MemoryFrom)
		require.Positive(t, f.Server.MemoryBeforeBytes)

		kc := newClient(srv.Endpoint)
		streams, err := kc.ListStreams(context.Background(), &kinesis.ListStreamsInput{})
		require.NoError(t, err)
		if !keep {
			require.Empty(t, streams.StreamNames)
			continue
		}
		require.Len(t, streams.StreamNames, 1)
		desc, err := kc.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(streams.StreamNames[0])})
		require.NoError(t, err)
		require.Equal(t, int32(2), aws.ToInt32(desc.StreamDescriptionSummary.ConsumerCount), "--keep leaves the consumers")
	}
}
