package streambackend_test

import (
	"bytes"
	"encoding/base64"
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

// BenchmarkServer_PutRecordsKeys is BenchmarkServer_PutRecordsWrite (100 B records) for the
// shapes of requests whose routing needs less than an MD5 per record: a stream of one shard,
// and producers that send records of one partition key in runs (runs=50: ten keys, fifty
// records each, one after the other). Like the write benchmark it uses only exported API, so
// that it builds at older commits.
func BenchmarkServer_PutRecordsKeys(b *testing.B) {
	const records, size = 500, 100
	for _, tc := range []struct {
		shards, run int
	}{{1, 1}, {4, 1}, {4, 50}} {
		b.Run(fmt.Sprintf("records=%d/size=%dB/shards=%d/runs=%d", records, size, tc.shards, tc.run), func(b *testing.B) {
			st, err := stream.Open(b.TempDir(), stream.Options{Shard: shard.Options{Sync: shard.SyncNone}, Logger: discardLogger()})
			require.NoError(b, err)
			defer st.Close()
			require.NoError(b, st.CreateStream("bench", stream.StreamConfig{ShardCount: tc.shards}))
			srv := server.New(streambackend.New(st), server.Options{Logger: discardLogger()})
			body := keyRunsBody("bench", records, size, tc.run)
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
			if cpu1, ok := processCPU(); ok && cpuKnown {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N*records), "cpu-ns/record")
			}
			if user1, ok := processUserCPU(); ok && userKnown {
				b.ReportMetric(float64(user1-user0)/float64(b.N*records), "user-ns/record")
			}
		})
	}
}

// keyRunsBody is a PutRecords body of records of size bytes whose partition keys come in
// runs of run records.
func keyRunsBody(name string, records, size, run int) []byte {
	var b bytes.Buffer
	data := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xa5}, size))
	b.WriteString(`{"Records":[`)
	for i := range records {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Data":"%s","PartitionKey":"partition-key-%d"}`, data, i/run)
	}
	fmt.Fprintf(&b, `],"StreamName":"%s"}`, name)
	return b.Bytes()
}
