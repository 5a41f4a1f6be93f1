package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

// streamingBackend answers GetRecords with n records of size bytes each, then fails with
// err if it is set: what a read that meets damage half way looks like.
type streamingBackend struct {
	server.UnimplementedBackend
	n, size int
	err     error
}

func (b *streamingBackend) GetRecords(_ context.Context, _ *server.GetRecordsInput, sink server.RecordSink) (*server.GetRecordsOutput, error) {
	data := make([]byte, b.size)
	for i := range b.n {
		for j := range data {
			data[j] = byte(i + j)
		}
		seq := fmt.Appendf(nil, "%056d", i)
		if err := sink.Record(seq, 1_790_000_000_000+int64(i), fmt.Appendf(nil, "key-%d", i), data); err != nil {
			return nil, err
		}
	}
	if b.err != nil {
		return nil, b.err
	}
	return &server.GetRecordsOutput{NextShardIterator: "next", MillisBehindLatest: 7}, nil
}

func postGetRecords(t *testing.T, c *http.Client, url string) *http.Response {
	t.Helper()
	return post(t, c, url, "GetRecords", `{"ShardIterator":"it"}`)
}

// TestGetRecords_LargeAnswerIsStreamed: an answer of several MiB goes out in pieces, without
// a Content-Length, over HTTP/1.1 and h2c, and the AWS SDK reads it whole.
func TestGetRecords_LargeAnswerIsStreamed(t *testing.T) {
	const n, size = 3000, 1000 // about 4 MiB of JSON
	_, url := mustServe(t, &streamingBackend{n: n, size: size})

	for _, tc := range []struct {
		name   string
		client *http.Client
		proto  int
	}{
		{"http1", http.DefaultClient, 1},
		{"h2c", h2cClient(), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := postGetRecords(t, tc.client, url)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, tc.proto, resp.ProtoMajor)
			require.EqualValues(t, -1, resp.ContentLength, "a streamed answer has no Content-Length")
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Greater(t, len(body), 4<<20)
			require.True(t, strings.HasSuffix(string(body), `,"NextShardIterator":"next","MillisBehindLatest":7}`), "%.100s", body[len(body)-100:])
		})
	}

	out, err := newSDKClient(url, nil).GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: aws.String("it")})
	require.NoError(t, err)
	require.Len(t, out.Records, n)
	for i, r := range out.Records {
		require.Equal(t, fmt.Sprintf("%056d", i), *r.SequenceNumber)
		require.Equal(t, fmt.Sprintf("key-%d", i), *r.PartitionKey)
		require.Len(t, r.Data, size)
		require.Equal(t, byte(i+size-1), r.Data[size-1], "record %d", i)
	}
	require.Equal(t, "next", *out.NextShardIterator)
}

// TestGetRecords_SmallAnswerHasContentLength: an answer under the streaming threshold is
// sent whole, with its length.
func TestGetRecords_SmallAnswerHasContentLength(t *testing.T) {
	_, url := mustServe(t, &streamingBackend{n: 10, size: 100})
	resp := postGetRecords(t, http.DefaultClient, url)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.EqualValues(t, len(body), resp.ContentLength)
}

// TestGetRecords_ErrorAfterStreamingCutsTheAnswer: once part of an answer is out, a failure
// cannot become an error response; the server cuts the answer short, so that no client
// mistakes the records it got for a whole answer.
func TestGetRecords_ErrorAfterStreamingCutsTheAnswer(t *testing.T) {
	_, url := mustServe(t, &streamingBackend{n: 3000, size: 1000, err: errors.New("segment damaged")})
	for _, tc := range []struct {
		name   string
		client *http.Client
	}{
		{"http1", http.DefaultClient},
		{"h2c", h2cClient()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := postGetRecords(t, tc.client, url)
			require.Equal(t, http.StatusOK, resp.StatusCode, "the status went out before the failure")
			_, err := io.ReadAll(resp.Body)
			require.Error(t, err, "the body must end in an error, not look complete")
		})
	}
	_, err := newSDKClient(url, nil).GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: aws.String("it")})
	require.Error(t, err)

	// An error before any piece is sent is still an ordinary error response.
	_, url = mustServe(t, &streamingBackend{n: 1, size: 10, err: errors.New("segment damaged")})
	resp := postGetRecords(t, http.DefaultClient, url)
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
}

// BenchmarkGetRecords_Concurrent measures the memory of GetRecords answers of 10 records of
// 1 MiB (13 MiB of JSON) read by 8 clients at once over HTTP/1.1: bytes allocated per answer
// (server and client, the client discarding the body as it arrives) and the peak of the live
// heap while they run, sampled.
func BenchmarkGetRecords_Concurrent(b *testing.B) {
	const readers, n, size = 8, 10, 1 << 20
	ts := httptest.NewServer(server.New(&streamingBackend{n: n, size: size}, server.Options{Logger: quietLogger()}))
	defer ts.Close()
	url := ts.URL
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: readers}}
	get := func() error {
		req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(`{"ShardIterator":"it"}`))
		if err != nil {
			return err
		}
		signed(req, "GetRecords")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	require.NoError(b, get()) // warm the pools

	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // the live heap, every millisecond
		defer close(sampled)
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
		}
	}()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var answers atomic.Int64
	b.SetParallelism(readers) // GOMAXPROCS × readers goroutines; capped below
	sem := make(chan struct{}, readers)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sem <- struct{}{}
			err := get()
			<-sem
			if err != nil {
				b.Error(err)
				return
			}
			answers.Add(1)
		}
	})
	b.StopTimer()
	runtime.ReadMemStats(&after)
	close(stop)
	<-sampled
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(answers.Load()), "B/answer")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}
