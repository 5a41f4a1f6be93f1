package streambackend_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// BenchmarkServer_GetRecordsRead is the server's CPU per record read back, the other half of
// BenchmarkServer_PutRecordsWrite: the whole GetRecords handler in process (decoding the
// request, opening the iterator, reading the shard's segment, rendering the JSON answer with
// base64 data, sealing the next iterator) over a 4-shard stream that PutRecords filled with
// 2,000 records per shard, each operation one GetRecords of a whole shard from TRIM_HORIZON
// (Limit 10000), the shards in turn. Besides ns/op it reports cpu-ns/record, the process's
// CPU time (user and system, every goroutine) per record returned. Like the write benchmark
// it uses only exported API, so that the same file builds at older commits.
func BenchmarkServer_GetRecordsRead(b *testing.B) {
	const shards, perShard = 4, 2000
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("records=%d/size=%dB/shards=%d", perShard, size, shards), func(b *testing.B) {
			st, err := stream.Open(b.TempDir(), stream.Options{Shard: shard.Options{Sync: shard.SyncNone}, Logger: discardLogger()})
			require.NoError(b, err)
			defer st.Close()
			require.NoError(b, st.CreateStream("bench", stream.StreamConfig{ShardCount: shards}))
			srv := server.New(streambackend.New(st), server.Options{Logger: discardLogger()})
			put := streamPutRecordsBody("bench", 500, size)
			for range shards * perShard / 500 {
				serveForBench(b, srv, "PutRecords", put)
			}
			var iterators [][]byte
			for i := range shards {
				var out struct{ ShardIterator string }
				req := fmt.Appendf(nil, `{"StreamName":"bench","ShardId":"shardId-%012d","ShardIteratorType":"TRIM_HORIZON"}`, i)
				require.NoError(b, json.Unmarshal(serveForBench(b, srv, "GetShardIterator", req), &out))
				iterators = append(iterators, fmt.Appendf(nil, `{"ShardIterator":%q,"Limit":10000}`, out.ShardIterator))
			}
			// Each shard's answer holds about a quarter of the records (the partition keys
			// spread them); count them once, outside the measurement, and check the data.
			var total int
			counts := make([]int, shards)
			for i, req := range iterators {
				var out struct{ Records []struct{ Data []byte } }
				require.NoError(b, json.Unmarshal(serveForBench(b, srv, "GetRecords", req), &out))
				for _, r := range out.Records {
					require.Len(b, r.Data, size)
				}
				counts[i] = len(out.Records)
				total += counts[i]
			}
			require.Equal(b, shards*perShard, total)

			rd := bytes.NewReader(nil)
			r := testutil.SetKinesisHeaders(httptest.NewRequest(http.MethodPost, "/", nil), "GetRecords")
			r.Body = io.NopCloser(rd)
			w := &streamDiscardWriter{h: http.Header{}}
			b.SetBytes(int64(total / shards * size))
			b.ReportAllocs()
			i, records := 0, 0
			cpu0, cpuKnown := processCPU()
			for b.Loop() {
				req := iterators[i%shards]
				records += counts[i%shards]
				i++
				rd.Reset(req)
				r.ContentLength = int64(len(req))
				clear(w.h)
				srv.ServeHTTP(w, r)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
			if cpu1, ok := processCPU(); ok && cpuKnown {
				b.ReportMetric(float64(cpu1-cpu0)/float64(records), "cpu-ns/record")
			}
		})
	}
}

// serveForBench serves one request of op through h and returns the body of its 200 answer.
func serveForBench(b *testing.B, h http.Handler, op string, body []byte) []byte {
	b.Helper()
	r := testutil.SetKinesisHeaders(httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)), op)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(b, http.StatusOK, w.Code, "%s: %s", op, w.Body.String())
	return w.Body.Bytes()
}
