package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/wire"
)

// streamedRead is what getrecords.py and getrecords.mjs print.
type streamedRead struct {
	Records int
	SHA256  string
	Keys    []string
	HasNext bool
}

// TestSDKs_StreamedGetRecords: boto3 (HTTP/1.1) and the AWS SDK for JavaScript v3 on HTTP/2
// (its default) and on HTTP/1.1 (NodeHttpHandler) read a GetRecords answer of 2,000 records
// of 1000 B, 2.7 MB of JSON sent in pieces (chunked on HTTP/1.1, data frames on h2c), whole
// and unchanged.
func TestSDKs_StreamedGetRecords(t *testing.T) {
	skipShort(t)
	const name, n, size = "streamed", 2000, 1000
	require.Greater(t, n*size*4/3, 4*wire.StreamChunkBytes, "the answer must be sent in pieces")
	srv := startServer(t, t.TempDir(), "--sync", "none")
	client := newClient(srv.Endpoint)
	_, err := client.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	waitActive(t, client, name)
	digest := sha256.New()
	for b := range n / 500 {
		entries := make([]types.PutRecordsRequestEntry, 500)
		for k := range entries {
			i := b*500 + k
			data := make([]byte, size)
			for j := range data {
				data[j] = byte(i*31 + j)
			}
			digest.Write(data)
			entries[k] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("k%d", i%3)), Data: data}
		}
		out, err := client.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
		require.NoError(t, err)
		require.Zero(t, aws.ToInt32(out.FailedRecordCount))
	}
	want := streamedRead{Records: n, SHA256: hex.EncodeToString(digest.Sum(nil)), Keys: []string{"k0", "k1", "k2"}, HasNext: true}

	t.Run("boto3", func(t *testing.T) {
		check := exec.Command(debianPython, "-c", "import boto3")
		requireE2E(t, "python3-boto3 (apt-get install python3-boto3)", check.Run() == nil)
		require.Equal(t, want, runStreamedRead(t, filepath.Join("testdata", "boto3"), debianPython, "getrecords.py", srv.Endpoint, name))
	})
	for _, http1 := range []bool{false, true} {
		t.Run(fmt.Sprintf("js-sdk-v3/http1=%v", http1), func(t *testing.T) {
			node, err := exec.LookPath("node")
			dir := filepath.Join("testdata", "js")
			_, sdkErr := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-kinesis"))
			requireE2E(t, "node and @aws-sdk/client-kinesis (npm ci --prefix cmd/shardlog/testdata/js)", err == nil && sdkErr == nil)
			env := "SHARDLOG_HTTP1=0"
			if http1 {
				env = "SHARDLOG_HTTP1=1"
			}
			require.Equal(t, want, runStreamedRead(t, dir, node, "getrecords.mjs", srv.Endpoint, name, env))
		})
	}
}

// runStreamedRead runs `interpreter script` in dir against endpoint and decodes what it prints.
func runStreamedRead(t *testing.T, dir, interpreter, script, endpoint, stream string, env ...string) streamedRead {
	t.Helper()
	abs, _ := filepath.Abs(dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, interpreter, script)
	cmd.Dir = abs
	cmd.Env = append(os.Environ(), append([]string{"SHARDLOG_ENDPOINT=" + endpoint, "SHARDLOG_STREAM=" + stream,
		"PYTHONDONTWRITEBYTECODE=1"}, env...)...)
	cmd.WaitDelay = time.Second
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("%s %s: %v\n%s", interpreter, script, err, ee.Stderr)
	}
	require.NoError(t, err)
	var got streamedRead
	require.NoError(t, json.Unmarshal(out, &got), "output: %s", out)
	return got
}
