package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

// diskFullMessage is the start of the message of a write refused for want of space.
const diskFullMessage = "Internal Service Failure: the server's disk is full; records for shard "

// TestServe_FullDisk runs the server on a small file system and fills it through the API.
// While the disk is full, writes get an InternalFailure that says so (PutRecords per record,
// PutRecord for the call, which the SDK retries a bounded number of times) and reads go on;
// the server killed with SIGKILL starts again on the full disk and serves reads; once space
// is freed, writes succeed again, every acknowledged record is there, and the log holds a few
// lines, not one per failed request.
func TestServe_FullDisk(t *testing.T) {
	skipShort(t)
	t.Parallel()
	mnt := testutil.MountSmallFS(t, 32<<20)
	filler := filepath.Join(mnt, "filler")
	require.NoError(t, os.WriteFile(filler, make([]byte, 4<<20), 0o644))
	dir := filepath.Join(mnt, "data")
	ctx := context.Background()
	// Without compression: the records below, mostly one repeated letter, would otherwise
	// take a few bytes of disk each and never fill it.
	srv := startServer(t, dir, "--compression", "none")
	c := newClient(srv.Endpoint)
	const name = "full"
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	waitActive(t, c, name)

	entries := make([]types.PutRecordsRequestEntry, 100)
	var acked []string // data of the acknowledged records, in order
	put := func(round int) (failed int) {
		for i := range entries {
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"),
				Data: []byte(fmt.Sprintf("%06d-%03d-%s", round, i, strings.Repeat("x", 10<<10)))}
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
		require.NoError(t, err, "PutRecords round %d: a full disk fails records, not the call", round)
		for i, r := range out.Records {
			if r.ErrorCode == nil {
				acked = append(acked, string(entries[i].Data))
				continue
			}
			failed++
			require.Equal(t, "InternalFailure", *r.ErrorCode)
			require.Equal(t, diskFullMessage+"shardId-000000000000 in stream full under account 000000000000 "+
				"are not written until space is freed.", aws.ToString(r.ErrorMessage))
		}
		require.EqualValues(t, failed, aws.ToInt32(out.FailedRecordCount))
		return failed
	}
	round := 0
	for ; round < 200 && put(round) < len(entries); round++ {
	}
	require.Less(t, round, 200, "the disk never filled")
	require.NotEmpty(t, acked)
	t.Logf("disk full after %d acknowledged records of 10 KiB", len(acked))

	// PutRecord: the whole call fails with the same error, after the SDK's bounded retries.
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"),
		Data: make([]byte, 512<<10)})
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "PutRecord on a full disk: %v", err)
	require.Equal(t, "InternalFailure", apiErr.ErrorCode())
	require.True(t, strings.HasPrefix(apiErr.ErrorMessage(), diskFullMessage), "message %q", apiErr.ErrorMessage())

	// Many failed writes, few log lines.
	for range 100 {
		round++
		require.Equal(t, len(entries), put(round))
	}
	requireRecords(t, c, name, acked, "on the full disk")
	log := srv.Log()
	t.Logf("log of the first server:\n%s", log)
	require.LessOrEqual(t, strings.Count(log, "\n"), 10, "log lines after %d failed writes", round)

	srv.Kill()
	testutil.FillDisk(t, filepath.Join(mnt, "filler2")) // not a byte left
	srv = startServer(t, dir, "--compression", "none")
	c = newClient(srv.Endpoint)
	requireRecords(t, c, name, acked, "after a restart on the full disk")
	// What the last preallocation got before it failed may still take a few records.
	for n := 0; n < 100 && put(round) < len(entries); n++ {
		round++
	}
	round++
	require.Equal(t, len(entries), put(round), "writes while the disk is still full")

	require.NoError(t, os.Remove(filler))
	require.NoError(t, os.Remove(filepath.Join(mnt, "filler2")))
	for range 2 {
		round++
		require.Zero(t, put(round), "writes once space is freed")
	}
	requireRecords(t, c, name, acked, "once space is freed")
	srv.Stop(t)

	log = srv.Log()
	t.Logf("log of the second server:\n%s", log)
	require.LessOrEqual(t, strings.Count(log, "\n"), 10, "log lines of the second server")
}

// requireRecords reads the stream's only shard from the trim horizon and checks that it holds
// exactly the records of want, in order.
func requireRecords(t *testing.T, c *kinesis.Client, stream string, want []string, when string) {
	t.Helper()
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	require.NoError(t, err, "GetShardIterator %s", when)
	var got []string
	for iter := it.ShardIterator; iter != nil; {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		require.NoError(t, err, "GetRecords %s", when)
		for _, r := range out.Records {
			got = append(got, string(r.Data))
		}
		if len(out.Records) == 0 {
			break
		}
		iter = out.NextShardIterator
	}
	require.Equal(t, len(want), len(got), "records %s", when)
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("record %d %s: %.20q, want %.20q", i, when, got[i], want[i])
		}
	}
}
