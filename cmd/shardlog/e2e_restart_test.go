package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"
)

// TestServe_KillAndRestart writes through the API, kills the server with SIGKILL, starts it
// again on the same data directory and reads everything back: every acknowledged record is
// there once, in order, with its sequence number, and an iterator taken before the kill works.
func TestServe_KillAndRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv := startServer(t, dir)
	c := newClient(srv.Endpoint)

	const name = "restart"
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(2)})
	require.NoError(t, err)
	waitActive(t, c, name)

	// Iterators taken before any write, at the start of each shard.
	early := map[string]string{}
	for _, id := range []string{"shardId-000000000000", "shardId-000000000001"} {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
			ShardId: aws.String(id), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		require.NoError(t, err)
		early[id] = *it.ShardIterator
	}

	type acked struct{ seq, key, data string }
	want := map[string][]acked{} // per shard, in acknowledgement order
	rounds, perCall := 20, 50
	if testing.Short() {
		rounds = 5
	}
	for round := range rounds {
		var entries []types.PutRecordsRequestEntry
		for i := range perCall {
			entries = append(entries, types.PutRecordsRequestEntry{
				PartitionKey: aws.String(fmt.Sprintf("key-%d", i%7)),
				Data:         []byte(fmt.Sprintf("round %d record %d", round, i)),
			})
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
		require.NoError(t, err)
		require.EqualValues(t, 0, aws.ToInt32(out.FailedRecordCount))
		for i, r := range out.Records {
			want[*r.ShardId] = append(want[*r.ShardId], acked{*r.SequenceNumber, *entries[i].PartitionKey, string(entries[i].Data)})
		}
	}

	srv.Kill()
	srv = startServer(t, dir)
	c = newClient(srv.Endpoint)

	total := 0
	for id, recs := range want {
		var got []acked
		it := early[id]
		for empty := 0; empty < 3 && it != ""; {
			out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
			require.NoError(t, err, "GetRecords on %s after restart", id)
			for _, r := range out.Records {
				got = append(got, acked{*r.SequenceNumber, *r.PartitionKey, string(r.Data)})
			}
			if len(out.Records) == 0 {
				empty++
			}
			it = aws.ToString(out.NextShardIterator)
		}
		require.Equal(t, recs, got, "records of %s after kill and restart", id)
		total += len(got)
	}
	require.Equal(t, rounds*perCall, total)

	// Writing continues after the restart.
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("after"), Data: []byte("x")})
	require.NoError(t, err)
	srv.Stop(t)
}
