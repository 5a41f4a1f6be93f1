package server_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	slkinesis "github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
)

// TestSubscribeToShard_JSSDK runs cmd/shardlog/testdata/js/subscribe.mjs: the AWS SDK for
// JavaScript v3, unchanged, on its default HTTP/2 transport, subscribing to a scripted
// stream. It needs node and `npm ci` in that directory (.ci/run does it); without them it
// skips, or fails under SHARDLOG_REQUIRE_E2E=1.
func TestSubscribeToShard_JSSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node: not under -short")
	}
	dir, _ := filepath.Abs(filepath.Join("..", "cmd", "shardlog", "testdata", "js"))
	node, err := exec.LookPath("node")
	_, sdkErr := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-kinesis"))
	if err != nil || sdkErr != nil {
		if os.Getenv(testutil.RequireE2EEnv) == "1" {
			t.Fatalf("node and @aws-sdk/client-kinesis (npm ci --prefix cmd/shardlog/testdata/js) are required (%s=1) but missing", testutil.RequireE2EEnv)
		}
		t.Skip("node or @aws-sdk/client-kinesis is missing: npm ci --prefix cmd/shardlog/testdata/js")
	}

	push := make(chan pushed)
	b := newSubscribeBackend(scripted(push))
	_, url := mustServe(t, b)
	cmd := exec.Command(node, "subscribe.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SHARDLOG_ENDPOINT="+url, "SHARDLOG_CONSUMER_ARN="+consumerARNA)
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := cmd.Output()
		done <- result{out, err}
	}()
	select {
	case in := <-b.inputs:
		require.Equal(t, &server.StartingPosition{Type: "LATEST"}, in.StartingPosition)
	case r := <-done:
		t.Fatalf("node ended before subscribing: %v\n%s", r.err, r.out)
	case <-time.After(time.Minute):
		t.Fatal("node did not subscribe within a minute")
	}
	arrival := time.UnixMilli(1700000000123)
	push <- pushed{event: server.SubscribeToShardEvent{ContinuationSequenceNumber: "100"}}
	push <- pushed{records: []testRecord{
		{SequenceNumber: "101", ApproximateArrivalTimestamp: arrival, Data: []byte("one"), PartitionKey: "k1"},
		{SequenceNumber: "102", ApproximateArrivalTimestamp: arrival, Data: []byte("two"), PartitionKey: "k2"},
	}, event: server.SubscribeToShardEvent{ContinuationSequenceNumber: "102", MillisBehindLatest: 7}}
	push <- pushed{event: server.SubscribeToShardEvent{ContinuationSequenceNumber: "102", ChildShards: []server.ChildShard{{
		ShardId: "shardId-000000000003", ParentShards: []string{"shardId-000000000001"},
		HashKeyRange: server.HashKeyRange{StartingHashKey: "0", EndingHashKey: "99"},
	}}}}
	push <- pushed{err: &slkinesis.Error{Type: slkinesis.TypeResourceInUse, Message: "Another subscription took over."}}

	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		t.Fatal("node still running a minute after the stream ended")
	}
	if ee, ok := r.err.(*exec.ExitError); ok {
		t.Fatalf("node subscribe.mjs: %v\n%s", r.err, ee.Stderr)
	}
	require.NoError(t, r.err)
	type record struct {
		Seq, Key, Data string
		ArrivalMs      int64
	}
	type event struct {
		Continuation string
		Millis       int64
		Records      []record
		Children     []string
	}
	var got struct {
		Events []event
		Error  string
	}
	require.NoError(t, json.Unmarshal(r.out, &got), "output: %s", r.out)
	require.Equal(t, []event{
		{Continuation: "100", Records: []record{}, Children: []string{}},
		{Continuation: "102", Millis: 7, Records: []record{
			{Seq: "101", Key: "k1", Data: "one", ArrivalMs: 1700000000123},
			{Seq: "102", Key: "k2", Data: "two", ArrivalMs: 1700000000123},
		}, Children: []string{}},
		{Continuation: "102", Records: []record{}, Children: []string{"shardId-000000000003"}},
	}, got.Events)
	require.Equal(t, "ResourceInUseException: Another subscription took over.", got.Error)
}
