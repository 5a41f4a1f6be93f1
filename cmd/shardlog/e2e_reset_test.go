package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"
)

// TestReset deletes every stream of a running server with `shardlog reset`, although its
// --delete-stream-delay would keep them DELETING for an hour, and says how many.
func TestReset(t *testing.T) {
	srv := startServer(t, t.TempDir(), "--delete-stream-delay", "1h")
	kc := mustCreate(t, srv.Endpoint, "one", 1)
	mustCreate(t, srv.Endpoint, "two", 2)

	var stdout, stderr bytes.Buffer
	code := run([]string{"reset", "--endpoint", srv.Endpoint}, &stdout, &stderr)
	require.Equal(t, 0, code, "reset: %s%s", stdout.String(), stderr.String())
	require.Equal(t, srv.Endpoint+": 2 streams deleted\n", stdout.String())
	out, err := kc.ListStreams(context.Background(), &kinesis.ListStreamsInput{})
	require.NoError(t, err)
	require.Empty(t, out.StreamNames, "streams after the reset")

	stdout.Reset()
	code = run([]string{"reset", "--endpoint", srv.Endpoint}, &stdout, &stderr)
	require.Equal(t, 0, code, "reset: %s%s", stdout.String(), stderr.String())
	require.Equal(t, srv.Endpoint+": 0 streams deleted\n", stdout.String())

	srv.Stop(t)
	stderr.Reset()
	code = run([]string{"reset", "--endpoint", srv.Endpoint}, &stdout, &stderr)
	require.Equal(t, 1, code)
	require.Contains(t, stderr.String(), "connection refused: is shardlog serve running there?")
}
