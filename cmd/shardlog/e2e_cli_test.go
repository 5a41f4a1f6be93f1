package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// awsCLI is the AWS CLI v2 from Debian's awscli package. Another `aws` earlier on PATH may be v1.
const awsCLI = "/usr/bin/aws"

// cliRunner runs AWS CLI v2 commands against one endpoint with dummy credentials and no
// user configuration.
type cliRunner struct {
	t        *testing.T
	endpoint string
	home     string
}

func newCLI(t *testing.T, endpoint string) *cliRunner {
	t.Helper()
	requireE2E(t, "AWS CLI v2 at "+awsCLI+" (apt-get install awscli)", haveCLIv2())
	return &cliRunner{t: t, endpoint: endpoint, home: t.TempDir()}
}

// haveCLIv2 reports whether awsCLI is the AWS CLI v2. It asks `aws --version` once per run
// of the package: each start of the CLI costs a second of CPU or so.
var haveCLIv2 = sync.OnceValue(func() bool {
	out, err := exec.Command(awsCLI, "--version").CombinedOutput()
	return err == nil && strings.HasPrefix(string(out), "aws-cli/2")
})

// command is `aws kinesis <args>` against the endpoint with the given key, in the
// runner's environment (envWith); extra adds variables.
func (c *cliRunner) command(keyID, secret string, args []string, extra ...string) *exec.Cmd {
	full := append([]string{"--endpoint-url", c.endpoint, "--output", "json", "kinesis"}, args...)
	cmd := exec.Command(awsCLI, full...)
	cmd.Env = append(c.envWith(keyID, secret), extra...)
	return cmd
}

// env is the environment of the runner's commands with the default test key.
func (c *cliRunner) env() []string { return c.envWith("AKIDSHARDLOGTEST", "secret") }

// envWith is the environment of the runner's commands: a fresh HOME, no config or
// credentials file, no pager, no instance metadata, us-east-1, and the given key.
func (c *cliRunner) envWith(keyID, secret string) []string {
	return append(os.Environ(),
		"HOME="+c.home,
		"AWS_ACCESS_KEY_ID="+keyID,
		"AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_REGION=us-east-1",
		"AWS_PAGER=",
		"AWS_CONFIG_FILE="+c.home+"/config",
		"AWS_SHARED_CREDENTIALS_FILE="+c.home+"/credentials",
		"AWS_EC2_METADATA_DISABLED=true",
	)
}

// fail runs `aws kinesis <args>`, which must fail, and returns what the CLI printed on stderr.
func (c *cliRunner) fail(args ...string) string {
	c.t.Helper()
	out, err := c.command("AKIDSHARDLOGTEST", "secret", args).Output()
	var ee *exec.ExitError
	require.True(c.t, errors.As(err, &ee), "aws kinesis %s: want a failure, got %v and %s", strings.Join(args, " "), err, out)
	return strings.TrimSpace(string(ee.Stderr))
}

// run runs `aws kinesis <args>` and decodes its JSON output into out (if out is non-nil).
func (c *cliRunner) run(out any, args ...string) {
	c.t.Helper()
	b, err := c.command("AKIDSHARDLOGTEST", "secret", args).Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		c.t.Fatalf("aws kinesis %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if out != nil {
		require.NoError(c.t, json.Unmarshal(b, out), "aws kinesis %s output: %s", strings.Join(args, " "), b)
	}
}

// TestCLI_ClassicFlow drives the flow of every Kinesis tutorial with the AWS CLI v2:
// create, wait, put, get, describe, list, delete.
func TestCLI_ClassicFlow(t *testing.T) {
	skipShort(t)
	t.Parallel()
	cli := newCLI(t, "")
	srv := startServer(t, t.TempDir())
	cli.endpoint = srv.Endpoint

	cli.run(nil, "create-stream", "--stream-name", "cli-flow", "--shard-count", "2")
	cli.run(nil, "wait", "stream-exists", "--stream-name", "cli-flow")

	// Arrival times are whole milliseconds of the server's clock, this machine's; a
	// millisecond more allows for the CLI's rounding to microseconds.
	firstPut := time.Now().Add(-time.Millisecond)
	var put struct{ ShardId, SequenceNumber string }
	cli.run(&put, "put-record", "--stream-name", "cli-flow", "--partition-key", "k1",
		"--data", "hello from the cli", "--cli-binary-format", "raw-in-base64-out")
	require.Regexp(t, `^shardId-00000000000[01]$`, put.ShardId)
	require.Regexp(t, `^\d{56}$`, put.SequenceNumber)

	var puts struct {
		FailedRecordCount int
		Records           []struct{ ShardId, SequenceNumber string }
	}
	recs := `[{"Data":"cmVjb3JkIDE=","PartitionKey":"k1"},{"Data":"cmVjb3JkIDI=","PartitionKey":"k1"}]`
	cli.run(&puts, "put-records", "--stream-name", "cli-flow", "--records", recs)
	require.Equal(t, 0, puts.FailedRecordCount)
	require.Len(t, puts.Records, 2)
	for _, r := range puts.Records {
		require.Equal(t, put.ShardId, r.ShardId, "same partition key, same shard")
	}

	var desc struct {
		StreamDescription struct {
			StreamName, StreamARN, StreamStatus string
			Shards                              []struct{ ShardId string }
		}
	}
	cli.run(&desc, "describe-stream", "--stream-name", "cli-flow")
	require.Equal(t, "ACTIVE", desc.StreamDescription.StreamStatus)
	require.Equal(t, "arn:aws:kinesis:us-east-1:000000000000:stream/cli-flow", desc.StreamDescription.StreamARN)
	require.Len(t, desc.StreamDescription.Shards, 2)

	var shards struct{ Shards []struct{ ShardId string } }
	cli.run(&shards, "list-shards", "--stream-name", "cli-flow")
	require.Len(t, shards.Shards, 2)

	var it struct{ ShardIterator string }
	cli.run(&it, "get-shard-iterator", "--stream-name", "cli-flow", "--shard-id", put.ShardId,
		"--shard-iterator-type", "TRIM_HORIZON")
	require.NotEmpty(t, it.ShardIterator)

	var got struct {
		Records []struct {
			SequenceNumber, PartitionKey, Data string
			ApproximateArrivalTimestamp        string // the CLI prints ISO 8601
		}
		NextShardIterator  string
		MillisBehindLatest int64
	}
	cli.run(&got, "get-records", "--shard-iterator", it.ShardIterator)
	var data []string
	for _, r := range got.Records {
		b, err := base64.StdEncoding.DecodeString(r.Data)
		require.NoError(t, err)
		data = append(data, string(b))
		require.Equal(t, "k1", r.PartitionKey)
		at, err := time.Parse(time.RFC3339Nano, r.ApproximateArrivalTimestamp)
		require.NoError(t, err)
		require.False(t, at.Before(firstPut) || at.After(time.Now()),
			"ApproximateArrivalTimestamp %v, want between the first put (%v) and now", at, firstPut)
	}
	require.Equal(t, []string{"hello from the cli", "record 1", "record 2"}, data)
	require.Equal(t, put.SequenceNumber, got.Records[0].SequenceNumber)
	require.NotEmpty(t, got.NextShardIterator)

	cli.run(nil, "delete-stream", "--stream-name", "cli-flow")
	var list struct{ StreamNames []string }
	cli.run(&list, "list-streams")
	require.NotContains(t, list.StreamNames, "cli-flow")
}
