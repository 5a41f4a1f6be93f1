package bench_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/bench"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// serveFaulty starts a shardlog server in this process whose subscriptions pass every record
// to the client, except that record number at (counted over all subscriptions) is sent twice
// (dup) or not at all; at < 0 changes nothing.
func serveFaulty(t *testing.T, at int64, dup bool) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := stream.Open(t.TempDir(), stream.Options{Logger: log})
	require.NoError(t, err)
	b := &faultyBackend{Backend: streambackend.New(store), at: at, dup: dup}
	srv := httptest.NewServer(server.New(b, server.Options{Logger: log}))
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, store.Close())
	})
	return srv.URL
}

type faultyBackend struct {
	server.Backend
	at  int64
	dup bool
	n   atomic.Int64
}

func (b *faultyBackend) SubscribeToShard(ctx context.Context, in *server.SubscribeToShardInput, events server.SubscribeToShardSink) error {
	return b.Backend.(server.ShardSubscriber).SubscribeToShard(ctx, in, &faultySink{SubscribeToShardSink: events, b: b})
}

type faultySink struct {
	server.SubscribeToShardSink
	b *faultyBackend
}

func (s *faultySink) Record(seq []byte, arrivalMs int64, key, data []byte) error {
	if s.b.n.Add(1)-1 != s.b.at {
		return s.SubscribeToShardSink.Record(seq, arrivalMs, key, data)
	}
	if !s.b.dup {
		return nil
	}
	if err := s.SubscribeToShardSink.Record(seq, arrivalMs, key, data); err != nil {
		return err
	}
	return s.SubscribeToShardSink.Record(seq, arrivalMs, key, data)
}

// TestRun_Consumers runs the generator with consumers against the real server: each is
// pushed every record once and in order, and a record the server drops or sends twice is
// found and fails the run.
func TestRun_Consumers(t *testing.T) {
	tests := []struct {
		name            string
		at              int64
		dup             bool
		lost, duplicate int64
	}{
		{"all", -1, false, 0, 0},
		{"one-dropped", 1234, false, 1, 0},
		{"one-twice", 1234, true, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := quick(serveFaulty(t, tt.at, tt.dup))
			cfg.Consumers, cfg.NoReadBack = 2, true
			cfg.DrainTimeout = 2 * time.Second // for the record never pushed
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			res, err := bench.Run(ctx, cfg)
			f := res.FanOut
			require.NotNil(t, f)
			require.Equal(t, 2, f.Consumers)
			require.Equal(t, 2*cfg.Shards, f.Subscriptions)
			require.Len(t, f.PerConsumer, 2)
			var lost, dup int64
			for _, c := range f.PerConsumer {
				require.Equal(t, cfg.Records, c.Verify.Acknowledged)
				require.Zero(t, c.Verify.Changed+c.Verify.WrongShard+c.Verify.Unknown+c.Verify.Unacknowledged, "%+v", c.Verify)
				// a record sent twice repeats its sequence number: out of order as well
				require.Equal(t, c.Verify.Duplicated, c.Verify.Reordered, "%+v", c.Verify)
				lost += c.Verify.Lost
				dup += c.Verify.Duplicated
				require.Equal(t, cfg.Records-c.Verify.Lost+c.Verify.Duplicated, c.Records, "records pushed to %s", c.Name)
				require.Equal(t, uint64(c.Records-c.Verify.Duplicated), c.Latency.Calls, "latencies of %s", c.Name)
			}
			require.Equal(t, tt.lost, lost)
			require.Equal(t, tt.duplicate, dup)
			if tt.lost+tt.duplicate == 0 {
				require.NoError(t, err)
				require.Nil(t, f.Server, "an httptest server has no /metrics")
				return
			}
			require.ErrorIs(t, err, bench.ErrVerify)
		})
	}
}

// TestRun_Consumers_ServerPID reads the cost of the fan-out from /proc, the server being
// this process.
func TestRun_Consumers_ServerPID(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc:", err)
	}
	cfg := quick(mustServe(t))
	cfg.Consumers, cfg.ServerPID, cfg.NoReadBack = 1, os.Getpid(), true
	res := mustRun(t, cfg)
	s := res.FanOut.Server
	require.NotNil(t, s)
	require.Equal(t, "proc", s.CPUFrom)
	require.Equal(t, "proc", s.MemoryFrom, "an httptest server has no /metrics")
	require.Positive(t, s.MemoryBeforeBytes)
	require.GreaterOrEqual(t, s.MemoryPeakBytes, s.MemoryBeforeBytes)
	require.Equal(t, cfg.Records, res.FanOut.Records)
}
