package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	slkinesis "github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/kpl"
)

// shardRanges returns the hash key range of every shard of the stream, by shard id.
func shardRanges(t *testing.T, kc *kinesis.Client, name string) map[string]slkinesis.HashKeyRange {
	t.Helper()
	out, err := kc.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(name)})
	require.NoError(t, err)
	ranges := map[string]slkinesis.HashKeyRange{}
	for _, sh := range out.Shards {
		r, err := parseHashKeyRange(sh.HashKeyRange)
		require.NoError(t, err)
		ranges[aws.ToString(sh.ShardId)] = r
	}
	return ranges
}

// TestPut_Aggregate puts records with random partition keys into a 4-shard stream with
// --aggregate and --print, and reads the stream back: fewer Kinesis records than lines,
// each aggregate stored on the shard that owns the hash key of every user record inside
// it (where the KCL expects them), every line once, and --print's shard, sequence number
// and sub-sequence number for each user record as tail reports them.
func TestPut_Aggregate(t *testing.T) {
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "agg", 4)
	var in strings.Builder
	var want []string
	for i := range 400 {
		line := fmt.Sprintf("line %d %s", i, strings.Repeat("x", i%50))
		want = append(want, line)
		in.WriteString(line + "\n")
	}
	code, stdout, stderr := runCmd(strings.NewReader(in.String()), "put", "--endpoint", srv.Endpoint, "--stream", "agg",
		"--aggregate", "--aggregate-bytes", "2000", "--print")
	require.Equal(t, 0, code, stderr)

	stored := readStream(t, kc, "agg")
	require.Less(t, len(stored), 100, "400 records of 60 bytes on average make fewer than 100 aggregates of 2000 bytes")
	require.Contains(t, stderr, fmt.Sprintf("400 records, aggregated into %d, in 1 call", len(stored)))
	ranges := shardRanges(t, kc, "agg")
	var got []string
	for _, rec := range stored {
		require.LessOrEqual(t, len(rec.Data), 2000, "aggregate of %d bytes", len(rec.Data))
		users, err := kpl.Deaggregate([]byte(rec.Data))
		if err != nil { // a lone record, sent as it is
			require.ErrorIs(t, err, kpl.ErrNotAggregated)
			users = []kpl.Record{{PartitionKey: rec.Key, Data: []byte(rec.Data)}}
		}
		require.Equal(t, users[0].PartitionKey, rec.Key, "an aggregate goes under its first user record's key")
		for _, u := range users {
			require.True(t, ranges[rec.Shard].Contains(slkinesis.HashPartitionKey([]byte(u.PartitionKey))),
				"user record with key %s is in an aggregate on %s, which does not own its hash key", u.PartitionKey, rec.Shard)
			got = append(got, string(u.Data))
		}
	}
	require.ElementsMatch(t, want, got)

	code, tailOut, tailErr := runCmd(nil, "tail", "--endpoint", srv.Endpoint, "--stream", "agg", "--follow=false", "--format", "json")
	require.Equal(t, 0, code, tailErr)
	var fromTail []string
	for _, l := range lines(tailOut) {
		var r tailRecord
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		var sub int64 // 0 for a lone record, as the KCL numbers it
		if r.SubSequenceNumber != nil {
			sub = *r.SubSequenceNumber
		}
		fromTail = append(fromTail, fmt.Sprintf("%s %s %d", r.ShardID, r.SequenceNumber, sub))
	}
	require.Len(t, fromTail, 400)
	require.ElementsMatch(t, fromTail, lines(stdout), "--print names each user record as tail does")
}

// TestPut_AggregateOneKey: records of one partition key stay in order across aggregates;
// a record too large for an aggregate goes on its own, in its place, and so does a lone
// record (the KPL's rules).
func TestPut_AggregateOneKey(t *testing.T) {
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "onekey", 2)
	big := strings.Repeat("B", 300)
	input := []string{"a", "b", "c", big, "d", "e"}
	for i := range 30 {
		input = append(input, fmt.Sprintf("more %d", i))
	}
	code, _, stderr := runCmd(strings.NewReader(strings.Join(input, "\n")+"\n"), "put", "--endpoint", srv.Endpoint,
		"--stream", "onekey", "--partition-key", "same", "--aggregate", "--aggregate-bytes", "200")
	require.Equal(t, 0, code, stderr)
	stored := readStream(t, kc, "onekey")
	var got []string
	for _, rec := range stored {
		users, err := kpl.Deaggregate([]byte(rec.Data))
		if rec.Data == big {
			require.ErrorIs(t, err, kpl.ErrNotAggregated, "the large record is sent as it is")
			got = append(got, rec.Data)
			continue
		}
		require.NoError(t, err)
		require.LessOrEqual(t, len(rec.Data), 200)
		for _, u := range users {
			got = append(got, string(u.Data))
		}
	}
	require.Equal(t, input, got, "one key keeps its order")

	code, _, stderr = runCmd(nil, "put", "--endpoint", srv.Endpoint, "--stream", "onekey", "--partition-key", "same", "--aggregate", "lone")
	require.Equal(t, 0, code, stderr)
	last := readStream(t, kc, "onekey")
	require.Equal(t, "lone", last[len(last)-1].Data, "a lone record is sent as it is")
}

func TestPut_AggregateFlags(t *testing.T) {
	for _, n := range []string{"10", "2000000"} {
		code, _, stderr := runCmd(nil, "put", "--stream", "s", "--aggregate", "--aggregate-bytes", n)
		require.Equal(t, 2, code)
		require.Contains(t, stderr, "--aggregate-bytes "+n+": want 64 to 1048320")
	}
}

// TestPut_AggregateAfterReshard splits the stream's shard under a running put --aggregate.
// The first aggregates after the split were predicted from the old map (the KPL's lot too);
// put sees them land on a shard it did not predict, lists the shards again, and from then on
// every user record is in an aggregate on the shard that owns its hash key.
func TestPut_AggregateAfterReshard(t *testing.T) {
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "resharded", 1)
	r, w := io.Pipe()
	done := make(chan string, 1)
	go func() {
		code, _, stderr := runCmd(r, "put", "--endpoint", srv.Endpoint, "--stream", "resharded", "--aggregate",
			"--key-field", "k", "--linger", "200ms")
		done <- fmt.Sprintf("exit %d: %s", code, stderr)
	}()
	round := func(n int) {
		var b strings.Builder
		for i := range 40 {
			fmt.Fprintf(&b, "{\"k\":\"key-%d\",\"round\":%d}\n", i, n)
		}
		_, err := io.WriteString(w, b.String()) // one write: the round goes out in one call
		require.NoError(t, err)
		srv.awaitAnswered(t, "PutRecords", n+1, 15*time.Second)
	}
	round(0)
	_, err := kc.SplitShard(context.Background(), &kinesis.SplitShardInput{StreamName: aws.String("resharded"),
		ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("170141183460469231731687303715884105728")})
	require.NoError(t, err)
	waitActive(t, kc, "resharded")
	round(1) // predicted for the closed parent: put learns the map is stale
	round(2)
	require.NoError(t, w.Close())
	require.Equal(t, "exit 0: shardlog put: 120 records, aggregated into 4, in 3 calls to stream resharded\n", <-done)

	ranges := shardRanges(t, kc, "resharded")
	seen := 0
	for _, rec := range readStream(t, kc, "resharded") {
		users, err := kpl.Deaggregate([]byte(rec.Data))
		require.NoError(t, err)
		for _, u := range users {
			seen++
			if !strings.Contains(string(u.Data), `"round":2`) {
				continue
			}
			require.True(t, ranges[rec.Shard].Contains(slkinesis.HashPartitionKey([]byte(u.PartitionKey))),
				"after the remap, %s is in an aggregate on %s, which does not own its hash key", u.PartitionKey, rec.Shard)
		}
	}
	require.Equal(t, 120, seen)
}
