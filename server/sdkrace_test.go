package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/internal/wire"
)

// hiddenWriteToClient sends each request with the SDK's own body, closed by the SDK as
// usual, behind a wrapper that has no WriteTo: net/http then reads it with Read alone.
type hiddenWriteToClient struct{ hc *http.Client }

func (c hiddenWriteToClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return c.hc.Do(r)
	}
	own := r.WithContext(r.Context())
	own.Body = struct{ io.ReadCloser }{r.Body}
	return c.hc.Do(own)
}

// TestSDKRace_Reproduction measures aws-sdk-go-v2's client race (issues #1825, #2737: a call
// fails after a 200 with "use of closed network connection") against this server, with three
// HTTP clients under the same SDK (RetryMaxAttempts 1) and the same transport: the SDK's
// request bodies as they are, the same bodies with their WriteTo hidden, and
// testutil.SDKHTTPClient's copies; and three answers: a small one, one just under
// wire.StreamChunkBytes (sent whole with its Content-Length) and one just over (sent in
// pieces). It is a measurement, run on demand: SHARDLOG_SDK_RACE_REQUESTS=N sends N
// requests per client and answer, 32 at a time, and logs the failures. It asserts that
// every failure has the race's signature (the server answered 200 and the connection was
// closed under the client's read), and that testutil.SDKHTTPClient has none.
func TestSDKRace_Reproduction(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SHARDLOG_SDK_RACE_REQUESTS"))
	if n <= 0 {
		t.Skip("a measurement: set SHARDLOG_SDK_RACE_REQUESTS to the number of requests per case")
	}
	const size = 1000
	perRecord := len(`{"SequenceNumber":"","ApproximateArrivalTimestamp":1790000000.000,"Data":"","PartitionKey":"key-000"},`) +
		56 + (size+2)/3*4
	under := (wire.StreamChunkBytes - 200) / perRecord
	answers := []struct {
		name    string
		records int
		size    int
		pieces  bool
	}{
		{"small", 1, 100, false},
		{"whole", under, size, false},
		{"pieces", under + 20, size, true},
	}
	for _, a := range answers {
		t.Run(a.name, func(t *testing.T) { sdkRace(t, n, a.records, a.size, a.pieces) })
	}
}

// sdkRace sends n GetRecords requests through each client for answers of records × size
// bytes, which the server sends in pieces or not.
func sdkRace(t *testing.T, n, records, size int, pieces bool) {
	const concurrency = 32
	clients := []struct {
		name string
		wrap func(*http.Client) kinesis.HTTPClient
	}{
		{"sdk-body", func(hc *http.Client) kinesis.HTTPClient { return hc }},
		{"sdk-body-without-WriteTo", func(hc *http.Client) kinesis.HTTPClient { return hiddenWriteToClient{hc} }},
		{"testutil.SDKHTTPClient", func(hc *http.Client) kinesis.HTTPClient { return testutil.SDKHTTPClient(hc) }},
	}
	{
		_, url := mustServe(t, &streamingBackend{n: records, size: size})
		// Whether the answer is sent whole or in pieces, as the case says.
		resp := postGetRecords(t, http.DefaultClient, url)
		_, err := io.Copy(io.Discard, resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, pieces, resp.ContentLength < 0, "Content-Length %d", resp.ContentLength)

		for _, c := range clients {
			tr := &http.Transport{MaxIdleConnsPerHost: concurrency}
			client := kinesis.New(kinesis.Options{
				Region:           "us-east-1",
				Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
				BaseEndpoint:     aws.String(url),
				RetryMaxAttempts: 1,
				HTTPClient:       c.wrap(&http.Client{Transport: tr}),
			})
			var next, raced atomic.Int64
			var mu sync.Mutex
			var other []string
			var wg sync.WaitGroup
			for range concurrency {
				wg.Go(func() {
					for next.Add(1) <= int64(n) {
						out, err := client.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: aws.String("it")})
						switch {
						case err == nil && len(out.Records) == records:
						case err != nil && strings.Contains(err.Error(), "StatusCode: 200") &&
							strings.Contains(err.Error(), "use of closed network connection"):
							raced.Add(1)
						default:
							mu.Lock()
							other = append(other, fmt.Sprintf("%v (records %v)", err, out != nil && len(out.Records) == records))
							mu.Unlock()
						}
					}
				})
			}
			wg.Wait()
			tr.CloseIdleConnections()
			t.Logf("answer of %3d × %4d B (in pieces %-5v), client %-24s: %d of %d failed with the race's signature",
				records, size, pieces, c.name, raced.Load(), n)
			require.Empty(t, other, "failures without the race's signature")
			if c.name == "testutil.SDKHTTPClient" {
				require.Zero(t, raced.Load(), "testutil.SDKHTTPClient is meant to avoid the race")
			}
		}
	}
}
