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
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/server"
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

// raceBackend answers GetRecords as streamingBackend does, and PutRecords with a sequence
// number per record, keeping nothing.
type raceBackend struct{ streamingBackend }

func (b *raceBackend) PutRecords(_ context.Context, in *server.PutRecordsInput) (*server.PutRecordsOutput, error) {
	out := &server.PutRecordsOutput{Records: make([]server.PutRecordsResultEntry, len(in.Records))}
	for i := range out.Records {
		out.Records[i] = server.PutRecordsResultEntry{SequenceNumber: "49590338271490256608559692538361571095921575989136588898", ShardId: "shardId-000000000000"}
	}
	return out, nil
}

// TestSDKRace_Reproduction measures aws-sdk-go-v2's client race (issues #1825, #2737: a call
// fails after a 200 with "use of closed network connection") against this server, with three
// HTTP clients under the same SDK (RetryMaxAttempts 1) and the same transport: the SDK's
// request bodies as they are, the same bodies with their WriteTo hidden, and
// testutil.SDKHTTPClient's copies; and four calls: GetRecords with a small answer, with one
// just under wire.StreamChunkBytes (sent whole with its Content-Length) and with one just
// over (sent in pieces), and PutRecords of 100 × 1000 B (a request body of 135 kB, a small
// answer). It is a measurement, run on demand: SHARDLOG_SDK_RACE_REQUESTS=N sends N requests
// per client and call, 32 at a time, and logs the failures. It asserts that every failure
// has the race's signature (the server answered 200 and the connection was closed under the
// client's read), and that testutil.SDKHTTPClient has none.
func TestSDKRace_Reproduction(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SHARDLOG_SDK_RACE_REQUESTS"))
	if n <= 0 {
		t.Skip("a measurement: set SHARDLOG_SDK_RACE_REQUESTS to the number of requests per case")
	}
	const size = 1000
	perRecord := len(`{"SequenceNumber":"","ApproximateArrivalTimestamp":1790000000.000,"Data":"","PartitionKey":"key-000"},`) +
		56 + (size+2)/3*4
	under := (wire.StreamChunkBytes - 200) / perRecord
	getRecords := func(records int) func(*kinesis.Client) error {
		return func(c *kinesis.Client) error {
			out, err := c.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: aws.String("it")})
			if err == nil && len(out.Records) != records {
				err = fmt.Errorf("%d records, want %d", len(out.Records), records)
			}
			return err
		}
	}
	entries := make([]types.PutRecordsRequestEntry, 100)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(strconv.Itoa(i)), Data: make([]byte, size)}
	}
	putRecords := func(c *kinesis.Client) error {
		out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries})
		if err == nil && len(out.Records) != len(entries) {
			err = fmt.Errorf("%d results, want %d", len(out.Records), len(entries))
		}
		return err
	}
	for _, tc := range []struct {
		name    string
		backend raceBackend
		pieces  bool
		call    func(*kinesis.Client) error
	}{
		{"small", raceBackend{streamingBackend{n: 1, size: 100}}, false, getRecords(1)},
		{"whole", raceBackend{streamingBackend{n: under, size: size}}, false, getRecords(under)},
		{"pieces", raceBackend{streamingBackend{n: under + 20, size: size}}, true, getRecords(under + 20)},
		{"put", raceBackend{streamingBackend{n: 1, size: 100}}, false, putRecords},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, url := mustServe(t, &tc.backend)
			// Whether the GetRecords answer is sent whole or in pieces, as the case says.
			resp := postGetRecords(t, http.DefaultClient, url)
			_, err := io.Copy(io.Discard, resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			require.Equal(t, tc.pieces, resp.ContentLength < 0, "Content-Length %d", resp.ContentLength)
			sdkRace(t, url, n, tc.call)
		})
	}
}

// sdkRace makes n calls through each client and logs how many failed with the race.
func sdkRace(t *testing.T, url string, n int, call func(*kinesis.Client) error) {
	const concurrency = 32
	clients := []struct {
		name string
		wrap func(*http.Client) kinesis.HTTPClient
	}{
		{"sdk-body", func(hc *http.Client) kinesis.HTTPClient { return hc }},
		{"sdk-body-without-WriteTo", func(hc *http.Client) kinesis.HTTPClient { return hiddenWriteToClient{hc} }},
		{"testutil.SDKHTTPClient", func(hc *http.Client) kinesis.HTTPClient { return testutil.SDKHTTPClient(hc) }},
	}
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
					err := call(client)
					switch {
					case err == nil:
					case strings.Contains(err.Error(), "StatusCode: 200") &&
						strings.Contains(err.Error(), "use of closed network connection"):
						raced.Add(1)
					default:
						mu.Lock()
						other = append(other, err.Error())
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		tr.CloseIdleConnections()
		t.Logf("client %-24s: %d of %d calls failed with the race's signature", c.name, raced.Load(), n)
		require.Empty(t, other, "failures without the race's signature")
		if c.name == "testutil.SDKHTTPClient" {
			require.Zero(t, raced.Load(), "testutil.SDKHTTPClient is meant to avoid the race")
		}
	}
}
