//go:build linux

package stream_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// TestStore_FullDisk: on a full disk PutRecords fails the records it cannot write one by one,
// with an InternalFailure that says the disk is full, PutRecord fails with the same error,
// the log gets one line for many failures, and writes go in again once space is freed.
func TestStore_FullDisk(t *testing.T) {
	mnt := testutil.MountSmallFS(t, 24<<20)
	ballast := filepath.Join(mnt, "ballast")
	require.NoError(t, os.WriteFile(ballast, make([]byte, 2<<20), 0o644))
	var logs bytes.Buffer
	opts := testOptions(newClock())
	opts.Shard = shard.Options{MaxSegmentBytes: 1 << 20}
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	s := mustOpenDir(t, filepath.Join(mnt, "data"), opts)
	mustCreate(t, s, "a", 2)

	entries := make([]stream.PutEntry, 20)
	for i := range entries {
		entries[i] = stream.PutEntry{PartitionKey: fmt.Sprint(i), Data: bytes.Repeat([]byte{byte(i)}, 10<<10)}
	}
	// Until both shards have used the space they had reserved, some records still go in.
	acked, failedAll := 0, false
	shardOf := make([]string, len(entries)) // where each entry goes, from the first request
	for range 1000 {
		res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: entries}, nil)
		require.NoError(t, err, "a full disk fails records, not the request")
		n := 0
		for i, r := range res {
			if r.ErrorCode == "" {
				acked++
				shardOf[i] = r.ShardID
				continue
			}
			n++
			require.NotEmpty(t, shardOf[i], "entry %d failed in the first request", i)
			require.Equal(t, kinesis.TypeInternalFailure, r.ErrorCode)
			require.Equal(t, "Internal Service Failure: the server's disk is full; records for shard "+shardOf[i]+
				" in stream a under account "+acct+" are not written until space is freed.", r.ErrorMessage)
		}
		if failedAll = n == len(res); failedAll {
			break
		}
	}
	require.True(t, failedAll, "PutRecords never failed every record")
	require.Positive(t, acked)
	for range 1000 { // single records still fit in what the shard reserved
		if _, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "a", Entry: entries[0]}); err != nil {
			break
		}
		acked++
	}
	logs.Reset()
	for range 50 {
		res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: entries}, nil)
		require.NoError(t, err)
		for _, r := range res {
			require.Equal(t, kinesis.TypeInternalFailure, r.ErrorCode)
		}
		_, err = s.PutRecord(&stream.PutRecordRequest{StreamName: "a", Entry: entries[0]})
		requireKinesisError(t, err, kinesis.TypeInternalFailure, "Internal Service Failure: the server's disk is full; "+
			"records for shard "+shardOf[0]+" in stream a under account "+acct+" are not written until space is freed.")
	}
	require.LessOrEqual(t, strings.Count(logs.String(), "\n"), 1, "log lines for 100 failed requests:\n%s", logs.String())

	require.NoError(t, os.Remove(ballast))
	res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: entries[:4]}, nil)
	require.NoError(t, err)
	for i, r := range res {
		require.Empty(t, r.ErrorCode, "record %d once space is back: %s", i, r.ErrorMessage)
	}
	acked += 4
	total := 0
	for _, id := range []string{"shardId-0", "shardId-1"} {
		it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: id, Type: stream.TrimHorizon})
		require.NoError(t, err)
		total += len(readAll(t, s, it))
	}
	require.Equal(t, acked, total, "records read back")
}
