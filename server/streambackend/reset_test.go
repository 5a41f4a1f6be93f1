package streambackend_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// TestScoped_Reset is the reset of issue 13, item 6: POST /_shardlog/reset is refused to
// a client that is not on a loopback address and to a browser page (Origin), and, from one that is, deletes every stream
// of every account and region at once, although deleted streams would stay DELETING for
// an hour, consumers included; after it no stream is listed and no shard directory is
// left on disk.
func TestScoped_Reset(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m, err := streambackend.Open(dir, stream.Options{Shard: shard.Options{Sync: shard.SyncNone}, Logger: discardLogger(),
		DeleteDelay: 3600e9, RegisterConsumerDelay: 0})
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	h := server.New(m, server.Options{Logger: discardLogger(), Reset: m.DeleteAllStreams})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	clients := scopeClients(ts.URL)
	for _, c := range clients {
		_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)})
		require.NoError(t, err, "CreateStream as %s", c)
		_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte("x")})
		require.NoError(t, err, "PutRecord as %s", c)
	}
	_, err = clients[0].RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String(clients[0].arn("orders")), ConsumerName: aws.String("c")})
	require.NoError(t, err)
	require.NotEmpty(t, shardDirs(t, dir), "shard directories before the reset")

	for _, remote := range []string{"192.0.2.7:40000", "[2001:db8::1]:40000", "10.0.0.1:1"} {
		r := httptest.NewRequest(http.MethodPost, server.ResetPath, nil)
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		require.Equal(t, http.StatusForbidden, w.Code, "POST %s from %s: %s", server.ResetPath, remote, w.Body)
	}
	r := httptest.NewRequest(http.MethodPost, server.ResetPath, nil)
	r.RemoteAddr = "127.0.0.1:40000"
	r.Header.Set("Origin", "https://example.com")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusForbidden, w.Code, "POST %s from a browser page: %s", server.ResetPath, w.Body)
	requireStreams(t, clients, []string{"orders"})

	resp, err := http.Get(ts.URL + server.ResetPath)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, "GET %s", server.ResetPath)

	resp, err = http.Post(ts.URL+server.ResetPath, "", nil)
	require.NoError(t, err)
	var ans struct{ DeletedStreams int }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ans))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, len(clients), ans.DeletedStreams, "deletedStreams")
	requireStreams(t, clients, nil)
	require.Empty(t, shardDirs(t, dir), "shard directories after the reset")

	for _, c := range clients { // the names are free again at once
		_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
		require.NoError(t, err, "CreateStream after the reset as %s", c)
	}
}

// requireStreams checks the names ListStreams answers to each client.
func requireStreams(t *testing.T, clients []scopeClient, want []string) {
	t.Helper()
	for _, c := range clients {
		out, err := c.ListStreams(context.Background(), &kinesis.ListStreamsInput{})
		require.NoError(t, err, "ListStreams as %s", c)
		if want == nil {
			want = []string{}
		}
		got := out.StreamNames
		if got == nil {
			got = []string{}
		}
		require.Equal(t, want, got, "ListStreams as %s", c)
	}
}

// shardDirs lists the shard directories (shardId-…) under dir.
func shardDirs(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && strings.HasPrefix(d.Name(), "shardId-") {
			out = append(out, path)
		}
		return err
	})
	require.NoError(t, err)
	return out
}
