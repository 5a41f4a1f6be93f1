package main

import (
	"context"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"
)

// TestServe_QueueStateSurvivesKill: a queue's delivery state is on disk before the answer
// (--sync always, the default): after SIGKILL and a restart, an acknowledged record is not
// delivered again, a record in flight stays in flight, and a record made visible again is
// delivered with its receive count going on.
func TestServe_QueueStateSurvivesKill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	srv := startServer(t, dir, "--register-consumer-delay", "0")
	c := newClient(srv.Endpoint)
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("jobs"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	require.NoError(t, err)
	waitActive(t, c, "jobs")
	q, err := c.CreateQueue(ctx, &kinesis.CreateQueueInput{QueueName: aws.String("q"),
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/jobs"),
			StartingPosition: &types.QueueStartingPosition{Type: types.QueueStartingPositionTypeTrimHorizon}}},
		QueueAttributes: &types.QueueAttributes{VisibilityTimeoutSeconds: aws.Int32(600)}})
	require.NoError(t, err)
	arn := q.QueueDescription.QueueARN
	for _, d := range []string{"acked", "visible", "flight"} {
		_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("jobs"), PartitionKey: aws.String(d), Data: []byte(d)})
		require.NoError(t, err)
	}
	receive := func(c *kinesis.Client) map[string]types.QueueRecord {
		t.Helper()
		out, err := c.ReceiveQueueRecords(ctx, &kinesis.ReceiveQueueRecordsInput{QueueARN: arn, WaitTimeSeconds: aws.Int32(0)})
		require.NoError(t, err)
		m := map[string]types.QueueRecord{}
		for _, r := range out.QueueRecords {
			m[string(r.Data)] = r
		}
		return m
	}
	first := receive(c)
	var got []string
	for d := range first {
		got = append(got, d)
	}
	sort.Strings(got)
	require.Equal(t, []string{"acked", "flight", "visible"}, got)
	ack, err := c.AcknowledgeQueueRecords(ctx, &kinesis.AcknowledgeQueueRecordsInput{QueueARN: arn,
		Entries: []types.AcknowledgeQueueRecordsRequestEntry{{ReceiptHandle: first["acked"].ReceiptHandle}}})
	require.NoError(t, err)
	require.Len(t, ack.Successful, 1)
	vis, err := c.UpdateQueueRecordsVisibility(ctx, &kinesis.UpdateQueueRecordsVisibilityInput{QueueARN: arn,
		Entries: []types.UpdateQueueRecordsVisibilityRequestEntry{{ReceiptHandle: first["visible"].ReceiptHandle, VisibilityTimeoutSeconds: aws.Int32(0)}}})
	require.NoError(t, err)
	require.Len(t, vis.Successful, 1)
	srv.Kill()

	srv = startServer(t, dir, "--register-consumer-delay", "0")
	c = newClient(srv.Endpoint)
	again := receive(c)
	require.Len(t, again, 1, "the acknowledged record stays acknowledged, the one in flight in flight")
	r, ok := again["visible"]
	require.True(t, ok)
	require.Equal(t, int32(2), aws.ToInt32(r.ReceiveCount))
	require.Empty(t, receive(c))
}
