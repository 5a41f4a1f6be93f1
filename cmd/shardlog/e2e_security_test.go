package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

// runAs runs `aws kinesis <args>` with the given key, returning its output and
// error text instead of failing.
func (c *cliRunner) runAs(keyID, secret string, args ...string) (string, string, error) {
	c.t.Helper()
	cmd := c.command(keyID, secret, args, "AWS_MAX_ATTEMPTS=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	return string(out), stderr.String(), err
}

// TestCLI_Auth runs the real binary with --auth: the AWS CLI v2 and the Go SDK
// signing with the key get through; a wrong secret and an unknown key get
// AWS's errors.
func TestCLI_Auth(t *testing.T) {
	skipShort(t)
	t.Parallel()
	cli := newCLI(t, "")
	srv := startServer(t, t.TempDir(), "--auth", "AKIDSHARDLOGTEST:secret,AKIDOTHER:other/secret+2")
	cli.endpoint = srv.Endpoint
	require.Contains(t, srv.Log(), "auth=true")
	require.NotContains(t, srv.Log(), "level=WARN", "a loopback listener is not worth a warning")
	require.NotContains(t, srv.Log(), "other/secret+2", "secrets stay out of the log")

	cli.run(nil, "create-stream", "--stream-name", "auth", "--shard-count", "1")
	waitActive(t, newClient(srv.Endpoint), "auth") // the CLI's waiter is TestCLI_ClassicFlow's
	var put struct{ ShardId, SequenceNumber string }
	cli.run(&put, "put-record", "--stream-name", "auth", "--partition-key", "k",
		"--data", "signed", "--cli-binary-format", "raw-in-base64-out")
	require.Equal(t, "shardId-000000000000", put.ShardId)
	out, errText, err := cli.runAs("AKIDOTHER", "other/secret+2", "list-streams")
	require.NoError(t, err, errText)
	require.Contains(t, out, `"auth"`)

	_, errText, err = cli.runAs("AKIDSHARDLOGTEST", "not-the-secret", "list-streams")
	require.Error(t, err)
	require.Contains(t, errText, "An error occurred (InvalidSignatureException) when calling the ListStreams operation")
	require.Contains(t, errText, ": The request signature we calculated does not match the signature you provided. "+
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	_, errText, err = cli.runAs("AKIDNOBODY", "secret", "put-record", "--stream-name", "auth", "--partition-key", "k",
		"--data", "unsigned", "--cli-binary-format", "raw-in-base64-out")
	require.Error(t, err)
	require.Contains(t, errText, "An error occurred (UnrecognizedClientException) when calling the PutRecord operation")
	require.Contains(t, errText, ": The security token included in the request is invalid.")

	ctx := context.Background()
	client := newClient(srv.Endpoint) // AKIDSHARDLOGTEST:secret
	puts, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("auth"), Records: []types.PutRecordsRequestEntry{
		{Data: []byte("one"), PartitionKey: aws.String("k")}, {Data: []byte("two"), PartitionKey: aws.String("k")}}})
	require.NoError(t, err)
	require.Zero(t, *puts.FailedRecordCount)
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("auth"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	require.NoError(t, err)
	got, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	require.NoError(t, err)
	require.Len(t, got.Records, 3, "the CLI's record and the SDK's two")

	wrong := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDSHARDLOGTEST", "wrong", ""), HTTPClient: testutil.SDKHTTPClient(nil)})
	_, err = wrong.ListStreams(ctx, &kinesis.ListStreamsInput{})
	require.Error(t, err)
	require.Contains(t, err.Error(), "InvalidSignatureException")
}

// TestJSSDK_Auth runs the JavaScript SDK v3 flow in Node against a server that
// verifies signatures with the key flow.mjs signs with.
func TestJSSDK_Auth(t *testing.T) { runJSFlow(t, "--auth", "AKIDSHARDLOGTEST:secret") }

// TestServe_CORSOrigin sends a browser's preflight to the real binary: without
// --cors-origin no origin is allowed; with it, that origin only.
func TestServe_CORSOrigin(t *testing.T) {
	preflight := func(endpoint, origin string) http.Header {
		req, err := http.NewRequest(http.MethodOptions, endpoint+"/", nil)
		require.NoError(t, err)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-amz-date,x-amz-target")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return resp.Header
	}
	plain := startServer(t, t.TempDir())
	require.Empty(t, preflight(plain.Endpoint, "http://localhost:3000").Get("Access-Control-Allow-Origin"))

	open := startServer(t, t.TempDir(), "--cors-origin", "http://localhost:3000")
	h := preflight(open.Endpoint, "http://localhost:3000")
	require.Equal(t, "http://localhost:3000", h.Get("Access-Control-Allow-Origin"))
	require.Equal(t, "POST, OPTIONS", h.Get("Access-Control-Allow-Methods"))
	require.Empty(t, preflight(open.Endpoint, "https://evil.example").Get("Access-Control-Allow-Origin"))
}

// TestServe_BadSecurityFlags: a malformed --auth or --cors-origin stops serve
// before it touches the data directory, without echoing the secret.
func TestServe_BadSecurityFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--auth", "AKIDONLYTOPSECRET"},
		{"--cors-origin", "http://localhost:3000/path"},
	} {
		dir := t.TempDir() + "/data"
		cmd := exec.Command(binPath, append([]string{"serve", "--listen", "127.0.0.1:0", "--data", dir}, args...)...)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit), "serve %v: %v\n%s", args, err, out)
		require.Equal(t, 2, exit.ExitCode(), "%s", out)
		require.NotContains(t, string(out), "TOPSECRET")
		_, statErr := os.Stat(dir)
		require.True(t, os.IsNotExist(statErr), "the data directory was not created")
	}
}
