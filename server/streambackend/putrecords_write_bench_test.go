package streambackend_test

import (
	"bytes"
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

// BenchmarkServer_PutRecordsWrite is the server's CPU per record written: the whole
// PutRecords handler in process (decoding, MD5 routing, appending to 4 shards of a real
// store, rendering the answer), with no sync, so that the figure is CPU and not disk
// waits. Besides ns/op it reports cpu-ns/record, the process's CPU time (user and
// system, every goroutine) per record. It uses only exported API, so that the same file builds at older commits for the
// before-and-after comparison in bench/README.md.
func BenchmarkServer_PutRecordsWrite(b *testing.B) {
	const records = 500
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("records=%d/size=%dB/shards=4", records, size), func(b *testing.B) {
			benchPutRecords(b, 4, streamPutRecordsBody("bench", records, size), records, size)
		})
	}
}

// benchPutRecords runs one PutRecords request body through the whole handler over a real
// store of one stream ("bench") of shards shards, synced never, and reports records/s and
// the process's CPU and user CPU per record: a write benchmark's loop, whatever its body.
func benchPutRecords(b *testing.B, shards int, body []byte, records, size int) {
	benchPutRecordsSync(b, shard.SyncNone, shards, body, records, size)
}

// benchPutRecordsSync is benchPutRecords with the shards synced as sync says.
func benchPutRecordsSync(b *testing.B, sync shard.SyncPolicy, shards int, body []byte, records, size int) {
	st, err := stream.Open(b.TempDir(), stream.Options{Shard: shard.Options{Sync: sync}, Logger: discardLogger()})
	require.NoError(b, err)
	defer st.Close()
	require.NoError(b, st.CreateStream("bench", stream.StreamConfig{ShardCount: shards}))
	srv := server.New(streambackend.New(st), server.Options{Logger: discardLogger()})
	rd := bytes.NewReader(body)
	r := testutil.SetKinesisHeaders(httptest.NewRequest(http.MethodPost, "/", nil), "PutRecords")
	r.Body, r.ContentLength = io.NopCloser(rd), int64(len(body))
	w := &streamDiscardWriter{h: http.Header{}}
	b.SetBytes(int64(records * size))
	b.ReportAllocs()
	cpu0, cpuKnown := processCPU()
	user0, userKnown := processUserCPU()
	for b.Loop() {
		rd.Reset(body)
		clear(w.h)
		srv.ServeHTTP(w, r)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
	b.ReportMetric(float64(b.N*records)/b.Elapsed().Seconds(), "records/s")
	if cpu1, ok := processCPU(); ok && cpuKnown {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N*records), "cpu-ns/record")
	}
	if user1, ok := processUserCPU(); ok && userKnown {
		b.ReportMetric(float64(user1-user0)/float64(b.N*records), "user-ns/record")
	}
}
