package streambackend_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// TestSubscribeToShard_JSSDK_Store runs cmd/shardlog/testdata/js/fanout.mjs: the AWS SDK for
// JavaScript v3, unchanged, on its default HTTP/2 transport, against a server on a real
// store: a consumer registered and ACTIVE, a subscription that gets the records put, a
// split, ChildShards in the parent's last event, and the children's records through
// subscriptions to them. It needs node and `npm ci` in that directory (.ci/run does it);
// without them it skips, or fails under SHARDLOG_REQUIRE_E2E=1.
func TestSubscribeToShard_JSSDK_Store(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node: not under -short")
	}
	dir, _ := filepath.Abs(filepath.Join("..", "..", "cmd", "shardlog", "testdata", "js"))
	node, err := exec.LookPath("node")
	_, sdkErr := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-kinesis"))
	if err != nil || sdkErr != nil {
		if os.Getenv(testutil.RequireE2EEnv) == "1" {
			t.Fatalf("node and @aws-sdk/client-kinesis (npm ci --prefix cmd/shardlog/testdata/js) are required (%s=1) but missing", testutil.RequireE2EEnv)
		}
		t.Skip("node or @aws-sdk/client-kinesis is missing: npm ci --prefix cmd/shardlog/testdata/js")
	}
	st := mustOpenStreamStore(t, stream.Options{RegisterConsumerDelay: 50 * time.Millisecond})
	url := mustServe(t, streambackend.New(st)) // HTTP/1.1 and h2c

	cmd := exec.Command(node, "fanout.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SHARDLOG_ENDPOINT="+url)
	cmd.WaitDelay = time.Second
	done := make(chan error, 1)
	var out []byte
	go func() {
		var err error
		out, err = cmd.Output()
		done <- err
	}()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("node fanout.mjs: %v\n%s", err, ee.Stderr)
		}
		require.NoError(t, err)
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatal("node fanout.mjs still running after a minute")
	}

	type record struct{ Seq, Data string }
	type read struct {
		Records       []record
		Continuations []string
		Children      []struct {
			ShardId string
			Parents []string
		}
		Ended bool
	}
	var got struct {
		Before, After     map[string][]string
		Parent, ParentEnd read
		Children          map[string]read
	}
	require.NoError(t, json.Unmarshal(out, &got), "output: %s", out)

	requireRecords := func(name string, r read, seqs []string, data []string) {
		t.Helper()
		require.Len(t, r.Records, len(seqs), name)
		for i, rec := range r.Records {
			require.Equal(t, seqs[i], rec.Seq, "%s record %d", name, i)
			require.Contains(t, data, rec.Data, "%s record %d", name, i)
		}
		for i, c := range r.Continuations {
			if r.Ended && len(r.Children) > 0 && i == len(r.Continuations)-1 {
				require.Empty(t, c, "%s: ContinuationSequenceNumber of a closed shard's last event", name)
				continue
			}
			require.NotContains(t, []string{"", "0"}, c, "%s: ContinuationSequenceNumber", name)
		}
	}
	parent := "shardId-000000000000"
	requireRecords("parent", got.Parent, got.Before[parent], []string{"a", "b", "c"})
	require.Equal(t, []string{"a", "b", "c"}, []string{got.Parent.Records[0].Data, got.Parent.Records[1].Data, got.Parent.Records[2].Data})
	require.Empty(t, got.ParentEnd.Records)
	require.True(t, got.ParentEnd.Ended, "the parent's stream ends after ChildShards")
	require.Len(t, got.ParentEnd.Children, 2)
	requireRecords("the parent's end", got.ParentEnd, nil, nil)
	total := 0
	for _, c := range got.ParentEnd.Children {
		require.Equal(t, []string{parent}, c.Parents)
		requireRecords(c.ShardId, got.Children[c.ShardId], got.After[c.ShardId], []string{"d", "e", "f", "g", "h", "i"})
		total += len(got.Children[c.ShardId].Records)
	}
	require.Equal(t, 6, total, "records put after the split, through the children")
}
