package main

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"
)

// The AWS CLI v2 of Debian 12 (2.9.19) predates the resource-policy commands (Nov 2023).
// The CLI can take a newer service model for a service (aws configure add-model): the one of
// the pinned JavaScript SDK v2 in testdata/climodel (climodel_test.go), or botocore's, when it
// is installed for python3. withNewerKinesisModel adds it to the runner's own home, so that
// the user's configuration is never touched.

// withNewerKinesisModel makes c's CLI know put-resource-policy if the CLI's own model lacks
// it, with the model of testdata/climodel or else that of python3's botocore.
func (c *cliRunner) withNewerKinesisModel() {
	c.t.Helper()
	if c.knows("put-resource-policy") {
		return
	}
	model := jsKinesisModel(c.t)
	if model == "" {
		model = botocoreKinesisModel(c.t)
	}
	requireE2E(c.t, "a Kinesis service model with PutResourcePolicy (npm ci --prefix cmd/shardlog/testdata/climodel)", model != "")
	cmd := exec.Command(awsCLI, "configure", "add-model", "--service-model", "file://"+model, "--service-name", "kinesis")
	cmd.Env = c.env()
	out, err := cmd.CombinedOutput()
	require.NoError(c.t, err, "aws configure add-model: %s", out)
	require.True(c.t, c.knows("put-resource-policy"), "the CLI does not know put-resource-policy with the model of %s", model)
}

// knows reports whether `aws kinesis <command> help` succeeds.
func (c *cliRunner) knows(command string) bool {
	cmd := exec.Command(awsCLI, "kinesis", command, "help")
	cmd.Env = append(c.env(), "PAGER=cat", "MANPAGER=cat")
	return cmd.Run() == nil
}

// botocoreKinesisModel returns the path of an uncompressed copy, in a temporary directory,
// of the Kinesis service model of python3's botocore, or "" if there is none with
// PutResourcePolicy.
func botocoreKinesisModel(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return ""
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "data", "kinesis", "2013-12-02")
	var model []byte
	if f, err := os.Open(filepath.Join(dir, "service-2.json.gz")); err == nil {
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return ""
		}
		if model, err = io.ReadAll(zr); err != nil {
			return ""
		}
	} else if model, err = os.ReadFile(filepath.Join(dir, "service-2.json")); err != nil {
		return ""
	}
	if !strings.Contains(string(model), `"PutResourcePolicy"`) {
		return ""
	}
	path := filepath.Join(t.TempDir(), "kinesis-service-2.json")
	require.NoError(t, os.WriteFile(path, model, 0o644))
	return path
}

// TestCLI_ResourcePolicy puts a policy on a stream with the AWS CLI v2, reads it back, reads
// it back again after a restart of the server, and deletes it. (No operation of the CLI's
// model is left unserved: TestUnsupported_* in server show that message.)
func TestCLI_ResourcePolicy(t *testing.T) {
	skipShort(t)
	t.Parallel()
	cli := newCLI(t, "")
	cli.withNewerKinesisModel()
	dataDir := t.TempDir()
	srv := startServer(t, dataDir)
	cli.endpoint = srv.Endpoint

	cli.run(nil, "create-stream", "--stream-name", "cli-policy", "--shard-count", "1")
	waitActive(t, newClient(srv.Endpoint), "cli-policy") // the CLI's waiter is TestCLI_ClassicFlow's
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/cli-policy"
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},` +
		`"Action":["kinesis:DescribeStreamSummary","kinesis:PutRecord"],"Resource":"` + arn + `"}]}`

	var got struct{ Policy string }
	cli.run(&got, "get-resource-policy", "--resource-arn", arn)
	require.Equal(t, "{}", got.Policy, "a stream without a policy")
	cli.run(nil, "put-resource-policy", "--resource-arn", arn, "--policy", policy)
	cli.run(&got, "get-resource-policy", "--resource-arn", arn)
	require.Equal(t, policy, got.Policy)

	srv.Stop(t)
	srv = startServer(t, dataDir)
	cli.endpoint = srv.Endpoint
	// After the restart and the deletion the Go SDK reads the policy: the CLI's
	// get-resource-policy is shown above, with and without a policy.
	kc := newClient(srv.Endpoint)
	after, err := kc.GetResourcePolicy(context.Background(), &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, policy, aws.ToString(after.Policy), "after a restart")

	cli.run(nil, "delete-resource-policy", "--resource-arn", arn)
	after, err = kc.GetResourcePolicy(context.Background(), &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, "{}", aws.ToString(after.Policy))

	stderr := cli.fail("put-resource-policy", "--resource-arn", arn, "--policy", "not json")
	require.Contains(t, stderr, "An error occurred (InvalidArgumentException) when calling the PutResourcePolicy operation: "+
		"Policy is not a valid JSON policy document: it must be a JSON object.")
}
