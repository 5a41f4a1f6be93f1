package streambackend_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// loopbackConns is the number of concurrent client connections of the loopback benchmarks,
// as in the kinesalite comparison (../shared/BASELINES.md §2).
const loopbackConns = 8

// loopback is a real store served over HTTP on 127.0.0.1, and a client tuned to keep
// loopbackConns connections open.
type loopback struct {
	url    string
	client *http.Client
	store  *stream.Store
}

func newLoopback(b *testing.B, sync shard.SyncPolicy) *loopback {
	b.Helper()
	st, err := stream.Open(b.TempDir(), stream.Options{Shard: shard.Options{Sync: sync}, Logger: discardLogger()})
	require.NoError(b, err)
	backend, scrape := loopbackBackend(b, st)
	ts := httptest.NewServer(server.New(backend, server.Options{Logger: discardLogger(), Metrics: scrape}))
	b.Cleanup(func() {
		ts.Close()
		require.NoError(b, st.Close())
	})
	tr := ts.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = loopbackConns
	return &loopback{url: ts.URL, client: &http.Client{Transport: tr}, store: st}
}

// post sends a pre-encoded request and returns the body of a 200 answer in buf.
func (l *loopback) post(op string, body []byte, buf *bytes.Buffer) error {
	req, err := http.NewRequest(http.MethodPost, l.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := l.client.Do(testutil.SetKinesisHeaders(req, op))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d: %s", op, resp.StatusCode, buf.Bytes())
	}
	return nil
}

// BenchmarkLoopback_PutRecords sends pre-encoded PutRecords requests of 500 × 100 B over
// loopback HTTP from loopbackConns connections to a 4-shard stream: the server's whole write
// path, client included, as a Kinesis producer sees it.
func BenchmarkLoopback_PutRecords(b *testing.B) {
	const records, size = 500, 100
	for _, sync := range []shard.SyncPolicy{shard.SyncAlways, shard.SyncNone} {
		b.Run(fmt.Sprintf("records=%d/size=%dB/shards=4/conns=%d/sync=%s", records, size, loopbackConns, sync), func(b *testing.B) {
			l := newLoopback(b, sync)
			require.NoError(b, l.store.CreateStream("bench", stream.StreamConfig{ShardCount: 4}))
			body := streamPutRecordsBody("bench", records, size)
			b.SetBytes(records * size)
			b.ReportAllocs()
			b.SetParallelism((loopbackConns + 1) / 2) // GOMAXPROCS is 2 on the reference machine
			b.RunParallel(func(pb *testing.PB) {
				var buf bytes.Buffer
				for pb.Next() {
					if err := l.post("PutRecords", body, &buf); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N*records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkLoopback_GetRecords reads a filled 4-shard stream back over loopback HTTP with
// GetRecords (Limit 10000), one connection per shard, starting over at TRIM_HORIZON when a
// shard is read to its end.
func BenchmarkLoopback_GetRecords(b *testing.B) {
	const shards, perShard, size = 4, 100_000, 100
	l := newLoopback(b, shard.SyncNone)
	client := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(l.url), HTTPClient: l.client,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", "")})
	ctx := context.Background()
	require.NoError(b, l.store.CreateStream("bench", stream.StreamConfig{ShardCount: shards}))
	body := streamPutRecordsBody("bench", 500, size)
	var buf bytes.Buffer
	for range shards * perShard / 500 {
		require.NoError(b, l.post("PutRecords", body, &buf))
	}
	var starts []string
	for i := range shards {
		out, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("bench"),
			ShardId: aws.String(fmt.Sprintf("shardId-%012d", i)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		require.NoError(b, err)
		starts = append(starts, *out.ShardIterator)
	}

	var records, shardNo atomic.Int64
	b.SetBytes(0)
	b.ReportAllocs()
	b.SetParallelism((shards + 1) / 2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		start := starts[int(shardNo.Add(1)-1)%shards]
		it := start
		var buf bytes.Buffer
		for pb.Next() {
			req := fmt.Appendf(nil, `{"ShardIterator":%q,"Limit":10000}`, it)
			if err := l.post("GetRecords", req, &buf); err != nil {
				b.Error(err)
				return
			}
			// The client only counts records and takes the next iterator, so that the
			// figure is the server's, not a JSON decoder's.
			n := bytes.Count(buf.Bytes(), []byte(`"SequenceNumber":`))
			records.Add(int64(n))
			next, err := nextIterator(buf.Bytes())
			if err != nil {
				b.Error(err)
				return
			}
			it = next
			if n == 0 {
				it = start
			}
		}
	})
	b.ReportMetric(float64(records.Load())/b.Elapsed().Seconds(), "records/s")
}

// nextIterator returns the NextShardIterator member of a GetRecords answer.
func nextIterator(body []byte) (string, error) {
	key := []byte(`"NextShardIterator":`)
	i := bytes.LastIndex(body, key)
	if i < 0 {
		return "", fmt.Errorf("no NextShardIterator in %.200s", body)
	}
	var it string
	dec := json.NewDecoder(bytes.NewReader(body[i+len(key):]))
	if err := dec.Decode(&it); err != nil {
		return "", err
	}
	return it, nil
}
