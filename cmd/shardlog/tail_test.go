package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"
)

// putLines puts records with one partition key and returns their sequence numbers.
func putLines(t *testing.T, kc *kinesis.Client, name, key string, data ...string) []string {
	t.Helper()
	var entries []types.PutRecordsRequestEntry
	for _, d := range data {
		entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(d), PartitionKey: aws.String(key)})
	}
	out, err := kc.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
	require.NoError(t, err)
	require.Zero(t, aws.ToInt32(out.FailedRecordCount))
	var seqs []string
	for _, r := range out.Records {
		seqs = append(seqs, aws.ToString(r.SequenceNumber))
	}
	return seqs
}

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestTail_Positions(t *testing.T) {
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "positions", 2)
	first := putLines(t, kc, "positions", "k", "a", "b", "c")
	time.Sleep(20 * time.Millisecond) // arrival times are in ms: keep the two puts apart
	between := time.Now().UTC()
	time.Sleep(20 * time.Millisecond)
	putLines(t, kc, "positions", "k", "d", "e")

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"trim-horizon", nil, []string{"a", "b", "c", "d", "e"}},
		{"latest", []string{"--from", "latest"}, nil},
		{"time", []string{"--from", between.Format(time.RFC3339Nano)}, []string{"d", "e"}},
		{"duration-ago", []string{"--from", "1h"}, []string{"a", "b", "c", "d", "e"}},
		{"at-sequence", []string{"--at-sequence", first[1]}, []string{"b", "c", "d", "e"}},
		{"after-sequence", []string{"--after-sequence", first[1]}, []string{"c", "d", "e"}},
		{"count", []string{"--count", "2"}, []string{"a", "b"}},
		{"small-limit", []string{"--limit", "1"}, []string{"a", "b", "c", "d", "e"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"tail", "--endpoint", srv.Endpoint, "--stream", "positions", "--follow=false"}, tt.args...)
			code, stdout, stderr := runCmd(nil, args...)
			require.Equal(t, 0, code, stderr)
			require.Equal(t, tt.want, lines(stdout))
		})
	}
}

func TestTail_JSON(t *testing.T) {
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "json", 1)
	seqs := putLines(t, kc, "json", "key-1", "text ✓", "\xff\xfebinary")
	code, stdout, stderr := runCmd(nil, "tail", "--endpoint", srv.Endpoint, "--stream", "json", "--follow=false", "--format", "json")
	require.Equal(t, 0, code, stderr)
	out := lines(stdout)
	require.Len(t, out, 2)
	var recs []tailRecord
	for _, l := range out {
		var r tailRecord
		require.NoError(t, json.Unmarshal([]byte(l), &r), l)
		recs = append(recs, r)
	}
	require.Equal(t, "shardId-000000000000", recs[0].ShardID)
	require.Equal(t, seqs[0], recs[0].SequenceNumber)
	require.Equal(t, "key-1", recs[0].PartitionKey)
	require.NotNil(t, recs[0].Data)
	require.Equal(t, "text ✓", *recs[0].Data)
	require.Nil(t, recs[0].DataBase64)
	require.WithinDuration(t, time.Now(), recs[0].ArrivalTime, time.Minute)
	require.Nil(t, recs[1].Data, "data that is not UTF-8 is given in base64")
	require.Equal(t, []byte("\xff\xfebinary"), recs[1].DataBase64)
	require.Equal(t, seqs[1], recs[1].SequenceNumber)
}

// TestTail_Follow starts a tail at LATEST, then writes, and expects the tail to print what
// was written after it started.
func TestTail_Follow(t *testing.T) {
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "follow", 3)
	putLines(t, kc, "follow", "k", "before")
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, stdout, stderr := runCmd(nil, "tail", "--endpoint", srv.Endpoint, "--stream", "follow",
			"--from", "latest", "--count", "4", "--poll", "10ms")
		done <- result{code, stdout, stderr}
	}()
	srv.awaitAnswered(t, "GetShardIterator", 3, 15*time.Second) // the tail has its LATEST iterators
	putLines(t, kc, "follow", "k", "after 1", "after 2")
	putLines(t, kc, "follow", "other key", "after 3", "after 4")
	select {
	case r := <-done:
		require.Equal(t, 0, r.code, r.stderr)
		got := lines(r.stdout)
		require.ElementsMatch(t, []string{"after 1", "after 2", "after 3", "after 4"}, got)
		require.Less(t, indexOf(got, "after 1"), indexOf(got, "after 2"), "one key keeps its order")
	case <-time.After(15 * time.Second):
		t.Fatal("tail did not print the 4 records written after it started within 15 s")
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// TestTail_AcrossReshards splits the shard of one partition key and merges its children back
// between writes, and expects tail to print every record of the key in write order, parents
// before children, from the start or from a sequence number of the first shard.
func TestTail_AcrossReshards(t *testing.T) {
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "reshard", 2)
	ctx := context.Background()
	var want, seqs []string
	write := func(round string) {
		for i := range 3 {
			want = append(want, fmt.Sprintf("%s %d", round, i))
		}
		seqs = append(seqs, putLines(t, kc, "reshard", "the key", want[len(want)-3:]...)...)
	}
	write("before")
	parent := shardOf(t, kc, "reshard", seqs[0])
	_, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("reshard"),
		ShardToSplit: aws.String(parent.id), NewStartingHashKey: aws.String(parent.middle)})
	require.NoError(t, err)
	waitActive(t, kc, "reshard")
	write("after-split")
	children := openChildren(t, kc, "reshard", parent.id)
	require.Len(t, children, 2)
	_, err = kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("reshard"),
		ShardToMerge: aws.String(children[0]), AdjacentShardToMerge: aws.String(children[1])})
	require.NoError(t, err)
	waitActive(t, kc, "reshard")
	write("after-merge")

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"trim-horizon", []string{"--from", "trim-horizon"}, want},
		{"after-sequence", []string{"--after-sequence", seqs[0]}, want[1:]},
		{"shard", []string{"--shard", parent.id}, want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full := append([]string{"tail", "--endpoint", srv.Endpoint, "--stream", "reshard", "--follow=false"}, tt.args...)
			code, stdout, stderr := runCmd(nil, full...)
			require.Equal(t, 0, code, stderr)
			require.Equal(t, tt.want, lines(stdout), "records of one key in write order across a split and a merge")
		})
	}
}

type shardSpan struct{ id, middle string }

// shardOf returns the shard that holds a sequence number, and the middle of its hash range.
func shardOf(t *testing.T, kc *kinesis.Client, name, seq string) shardSpan {
	t.Helper()
	id, err := shardOfSequence(seq)
	require.NoError(t, err)
	out, err := kc.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(name)})
	require.NoError(t, err)
	for _, sh := range out.Shards {
		if aws.ToString(sh.ShardId) == id {
			lo, _ := new(big.Int).SetString(aws.ToString(sh.HashKeyRange.StartingHashKey), 10)
			hi, _ := new(big.Int).SetString(aws.ToString(sh.HashKeyRange.EndingHashKey), 10)
			mid := new(big.Int).Add(lo, hi)
			return shardSpan{id, mid.Rsh(mid, 1).String()}
		}
	}
	t.Fatalf("no shard %s in %s", id, name)
	return shardSpan{}
}

// openChildren returns the open shards whose parent is parent, in hash key order.
func openChildren(t *testing.T, kc *kinesis.Client, name, parent string) []string {
	t.Helper()
	out, err := kc.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(name)})
	require.NoError(t, err)
	var ids []string
	for _, sh := range out.Shards {
		if aws.ToString(sh.ParentShardId) == parent && sh.SequenceNumberRange.EndingSequenceNumber == nil {
			ids = append(ids, aws.ToString(sh.ShardId))
		}
	}
	return ids
}

func TestTail_Shard(t *testing.T) {
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "one-shard", 4)
	var entries []string
	for i := range 100 {
		entries = append(entries, fmt.Sprint(i))
	}
	var all []types.PutRecordsRequestEntry
	for _, e := range entries {
		all = append(all, types.PutRecordsRequestEntry{Data: []byte(e), PartitionKey: aws.String("key " + e)})
	}
	out, err := kc.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String("one-shard"), Records: all})
	require.NoError(t, err)
	var want []string
	for i, r := range out.Records {
		if aws.ToString(r.ShardId) == "shardId-000000000002" {
			want = append(want, entries[i])
		}
	}
	require.NotEmpty(t, want)
	code, stdout, stderr := runCmd(nil, "tail", "--endpoint", srv.Endpoint, "--stream", "one-shard", "--follow=false", "--shard", "2")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, want, lines(stdout))
}

func TestTail_Errors(t *testing.T) {
	srv := serveInProcess(t, "")
	mustCreate(t, srv.Endpoint, "exists", 1)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no-stream", []string{}, 2, "--stream is required"},
		{"bad-from", []string{"--stream", "exists", "--from", "yesterday"}, 2, `--from "yesterday"`},
		{"bad-format", []string{"--stream", "exists", "--format", "xml"}, 2, `--format "xml"`},
		{"bad-limit", []string{"--stream", "exists", "--limit", "0"}, 2, "--limit 0"},
		{"two-sequences", []string{"--stream", "exists", "--at-sequence", "1", "--after-sequence", "1"}, 2, "exclude each other"},
		{"bad-shard", []string{"--stream", "exists", "--shard", "shard-x"}, 2, "invalid value"},
		{"argument", []string{"--stream", "exists", "extra"}, 2, "unexpected arguments"},
		{"no-such-stream", []string{"--stream", "missing", "--follow=false"}, 1, "ResourceNotFoundException"},
		{"no-such-shard", []string{"--stream", "exists", "--shard", "7", "--follow=false"}, 1, "has no shard shardId-000000000007"},
		{"bad-sequence", []string{"--stream", "exists", "--at-sequence", "12", "--follow=false"}, 1, "name its shard with --shard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"tail", "--endpoint", srv.Endpoint}, tt.args...)
			code, _, stderr := runCmd(nil, args...)
			require.Equal(t, tt.wantCode, code, stderr)
			require.Contains(t, stderr, tt.wantErr)
		})
	}
}

func TestParseFrom(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	tests := []struct {
		in      string
		want    position
		wantErr bool
	}{
		{"trim-horizon", position{typ: types.ShardIteratorTypeTrimHorizon}, false},
		{"TRIM_HORIZON", position{typ: types.ShardIteratorTypeTrimHorizon}, false},
		{"latest", position{typ: types.ShardIteratorTypeLatest}, false},
		{"2026-01-02T15:00:00Z", position{typ: types.ShardIteratorTypeAtTimestamp, time: now.Add(-4*time.Minute - 5*time.Second)}, false},
		{"2026-01-02T16:00:00.5+01:00", position{typ: types.ShardIteratorTypeAtTimestamp, time: time.Date(2026, 1, 2, 15, 0, 0, 5e8, time.UTC)}, false},
		{"5m", position{typ: types.ShardIteratorTypeAtTimestamp, time: now.Add(-5 * time.Minute)}, false},
		{"-5m", position{}, true},
		{"soon", position{}, true},
	}
	for _, tt := range tests {
		got, err := parseFrom(tt.in, now)
		if tt.wantErr {
			require.Error(t, err, "parseFrom(%q)", tt.in)
			continue
		}
		require.NoError(t, err, "parseFrom(%q)", tt.in)
		require.Equal(t, tt.want.typ, got.typ, "parseFrom(%q)", tt.in)
		require.True(t, tt.want.time.Equal(got.time), "parseFrom(%q) = %v, want %v", tt.in, got.time, tt.want.time)
	}
}
