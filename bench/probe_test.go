package bench_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/bench"
)

// TestWaitReady: the wait goes on through answers that are not ready and ends at the first
// ready one; a server that never becomes ready is an error after the timeout.
func TestWaitReady(t *testing.T) {
	var calls, readyAt atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "/health", r.URL.Path)
		n := calls.Add(1)
		if ra := readyAt.Load(); ra == 0 || n < ra {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":"unavailable","reason":"opening"}`))
			return
		}
		w.Write([]byte(`{"status":"ok","streams":0}`))
	}))
	defer srv.Close()
	ctx := context.Background()

	_, err := bench.WaitReady(ctx, srv.URL, time.Now(), time.Millisecond, 30*time.Millisecond)
	require.ErrorContains(t, err, "unavailable opening")

	calls.Store(0)
	readyAt.Store(4)
	took, err := bench.WaitReady(ctx, srv.URL, time.Now(), time.Millisecond, time.Minute)
	require.NoError(t, err)
	require.Positive(t, took)
	require.EqualValues(t, 4, calls.Load(), "health requests: three not ready, then the ready one")
}

// TestReadProbe_Shardlog fills a stream, notes a time, writes more into the same stream with
// WriteInto, and probes it: AT_TIMESTAMP at that time starts in the second writes (the probe
// checks each answer's first arrival time), AT_SEQUENCE_NUMBER where AT_TIMESTAMP did,
// TRIM_HORIZON reads full answers and LATEST none.
func TestReadProbe_Shardlog(t *testing.T) {
	url := mustServe(t)
	cfg := quick(url)
	cfg.KeepStreams, cfg.NoReadBack = true, true
	res := mustRun(t, cfg)
	require.Len(t, res.Streams, 1)
	stream := res.Streams[0]

	// The second writes must arrive in a later millisecond than every first one.
	mid := time.Now()
	for time.Now().UnixMilli() <= mid.UnixMilli() {
	}
	mid = time.Now()
	for time.Now().UnixMilli() <= mid.UnixMilli() {
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w := cfg
	w.Records = 3000
	wrote, err := bench.WriteInto(ctx, w, stream)
	require.NoError(t, err)
	require.EqualValues(t, 3000, wrote.Records)

	const tries, limit = 9, 50
	got, err := bench.ReadProbe(ctx, bench.ReadProbeConfig{Endpoint: url, Tries: tries, Limit: limit, At: mid})
	require.NoError(t, err)
	require.Equal(t, stream, got.Stream, "the stream ListStreams names first")
	require.Equal(t, cfg.Shards, got.Shards)
	for _, kind := range []string{"TRIM_HORIZON", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER"} {
		k := got.By[kind]
		require.EqualValues(t, tries, k.Latency.Calls, kind)
		require.EqualValues(t, tries*limit, k.Records, "%s: every first answer full (each shard holds far more than %d)", kind, limit)
		require.Zero(t, k.Empty, kind)
	}
	require.EqualValues(t, tries, got.By["LATEST"].Empty, "LATEST reads nothing on an idle stream")
	require.Zero(t, got.By["LATEST"].Records)

	noAt, err := bench.ReadProbe(ctx, bench.ReadProbeConfig{Endpoint: url, Stream: stream, Tries: 2})
	require.NoError(t, err)
	require.Len(t, noAt.By, 2, "without At: TRIM_HORIZON and LATEST only")
}
