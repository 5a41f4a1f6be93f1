package bench_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/bench"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// mustServe starts a shardlog server over a temporary data directory, in this process.
func mustServe(t *testing.T) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := stream.Open(t.TempDir(), stream.Options{Logger: log})
	require.NoError(t, err)
	srv := httptest.NewServer(server.New(streambackend.New(store), server.Options{Logger: log}))
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, store.Close())
	})
	return srv.URL
}

// TestRun_Shardlog runs the generator against the real server: everything written must read
// back verified, with both operations and both payloads.
func TestRun_Shardlog(t *testing.T) {
	url := mustServe(t)
	tests := []struct {
		name string
		edit func(*bench.Config)
	}{
		{"putrecords", func(c *bench.Config) {}},
		{"putrecords-text", func(c *bench.Config) { c.Payload = bench.PayloadText; c.RecordBytes = 1000 }},
		{"putrecord", func(c *bench.Config) { c.Op = bench.OpPutRecord; c.Records = 300 }},
		{"streams=2", func(c *bench.Config) { c.Streams = 2; c.Connections = 4 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := quick(url)
			tt.edit(&cfg)
			res := mustRun(t, cfg)
			require.True(t, res.Verify.OK, "%+v", res.Verify)
			require.Equal(t, cfg.Records, res.Write.Records)
			require.Equal(t, res.Write.Records, res.Verify.Read)
		})
	}
}
