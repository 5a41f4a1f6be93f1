package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestJSSDK_ClassicFlow runs testdata/js/flow.mjs: the AWS SDK for JavaScript v3, unchanged,
// on its default HTTP/2 transport. It needs node and `npm ci` in testdata/js (.ci/run does it).
func TestJSSDK_ClassicFlow(t *testing.T) { runJSFlow(t) }

// runJSFlow runs flow.mjs against `shardlog serve` started with serverArgs.
func runJSFlow(t *testing.T, serverArgs ...string) {
	skipShort(t)
	t.Parallel()
	node, err := exec.LookPath("node")
	dir, _ := filepath.Abs(filepath.Join("testdata", "js"))
	_, sdkErr := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-kinesis"))
	requireE2E(t, "node and @aws-sdk/client-kinesis (npm ci --prefix cmd/shardlog/testdata/js)", err == nil && sdkErr == nil)

	srv := startServer(t, t.TempDir(), serverArgs...)
	cmd := exec.Command(node, "flow.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SHARDLOG_ENDPOINT="+srv.Endpoint)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("node flow.mjs: %v\n%s\nserver log:\n%s", err, ee.Stderr, srv.Log())
	}
	require.NoError(t, err)

	var got struct {
		FirstSequenceNumber string
		Failed              int
		Shards              []string
		Records             []struct{ Seq, Key, Data string }
		HasNext             bool
		NotFound            string
	}
	require.NoError(t, json.Unmarshal(out, &got), "output: %s", out)
	require.Regexp(t, `^\d{56}$`, got.FirstSequenceNumber)
	require.Equal(t, 0, got.Failed)
	require.Equal(t, []string{"shardId-000000000000"}, got.Shards)
	require.Len(t, got.Records, 3)
	for i, want := range []string{"one", "two", "three"} {
		require.Equal(t, want, got.Records[i].Data)
		require.Equal(t, "k", got.Records[i].Key)
	}
	require.Equal(t, got.FirstSequenceNumber, got.Records[0].Seq)
	require.True(t, got.HasNext, "an open shard always has a next iterator")
	require.Equal(t, "ResourceNotFoundException: Stream no-such-stream under account 000000000000 not found.", got.NotFound)
}
