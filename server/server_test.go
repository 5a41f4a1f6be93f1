package server_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

// mustServe runs the server on a real listener on 127.0.0.1, the way the
// binary does, and shuts it down at the end of the test.
func mustServe(t *testing.T, b server.Backend, opts ...server.Options) (*server.Server, string) {
	t.Helper()
	o := server.Options{}
	if len(opts) > 0 {
		o = opts[0]
	}
	o.Logger = quietLogger()
	s := server.New(b, o)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, s.Shutdown(ctx))
		require.ErrorIs(t, <-done, server.ErrClosed)
	})
	return s, "http://" + ln.Addr().String()
}

// h2cClient speaks only HTTP/2 with prior knowledge over plain TCP, as the AWS
// SDK for JavaScript v3 does by default.
func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}

// post sends one signed JSON request for op to the server at url with c; the answer's body
// is closed when the test ends.
func post(t *testing.T, c *http.Client, url, op, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	require.NoError(t, err)
	signed(req, op)
	resp, err := c.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestServe_H2C checks that one port answers HTTP/2 with prior knowledge and
// HTTP/1.1, and that the SDK works over h2c.
func TestServe_H2C(t *testing.T) {
	_, url := mustServe(t, newFakeBackend())
	h2c := h2cClient()
	t.Cleanup(h2c.CloseIdleConnections) // before Shutdown, which waits for idle HTTP/2 sessions

	resp := post(t, h2c, url, "ListStreams", "{}")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 2, resp.ProtoMajor, "proto %s", resp.Proto)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, `{"StreamNames":[],"HasMoreStreams":false}`, string(body))
	require.NotEmpty(t, resp.Header.Get("x-amzn-RequestId"))

	resp = post(t, http.DefaultClient, url, "ListStreams", "{}")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 1, resp.ProtoMajor)

	client := newSDKClient(url, h2c)
	_, err = client.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String("a"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
}

// TestServe_NoSniffedContentType checks on a real connection that the XML
// errors go out without a Content-Type, as AWS sends them.
func TestServe_NoSniffedContentType(t *testing.T) {
	_, url := mustServe(t, newFakeBackend())
	resp, err := http.Get(url + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Empty(t, resp.Header.Values("Content-Type"))
	require.Equal(t, "AccessDeniedException", resp.Header.Get("x-amzn-ErrorType"))
}

// blockingBackend holds DescribeStream until released.
type blockingBackend struct {
	*fakeBackend
	entered chan struct{}
	release chan struct{}
}

func (b *blockingBackend) DescribeStream(ctx context.Context, in *server.DescribeStreamInput) (*server.DescribeStreamOutput, error) {
	close(b.entered)
	<-b.release
	return b.fakeBackend.DescribeStream(ctx, in)
}

// TestServer_Shutdown_DrainsInFlight checks that Shutdown waits for a request in
// progress, which then completes normally, and that Serve returns ErrClosed.
func TestServer_Shutdown_DrainsInFlight(t *testing.T) {
	b := &blockingBackend{fakeBackend: newFakeBackend(), entered: make(chan struct{}), release: make(chan struct{})}
	s := server.New(b, server.Options{Logger: quietLogger()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	url := "http://" + ln.Addr().String()

	var wg sync.WaitGroup
	var status int
	wg.Go(func() {
		req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(`{"StreamName":"a"}`))
		resp, err := http.DefaultClient.Do(signed(req, "DescribeStream"))
		if err == nil {
			status = resp.StatusCode
			resp.Body.Close()
		}
	})
	<-b.entered

	shutdown := make(chan error, 1)
	go func() { shutdown <- s.Shutdown(context.Background()) }()
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown returned %v while a request was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(b.release)
	wg.Wait()
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, <-shutdown)
	require.ErrorIs(t, <-served, server.ErrClosed)

	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.ErrorIs(t, s.Serve(ln2), server.ErrClosed, "Serve after Shutdown")
}

// TestServer_Shutdown_Deadline checks that Shutdown gives up when its context
// ends before the in-flight request does.
func TestServer_Shutdown_Deadline(t *testing.T) {
	b := &blockingBackend{fakeBackend: newFakeBackend(), entered: make(chan struct{}), release: make(chan struct{})}
	s := server.New(b, server.Options{Logger: quietLogger()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go s.Serve(ln)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/", strings.NewReader(`{"StreamName":"a"}`))
		if resp, err := http.DefaultClient.Do(signed(req, "DescribeStream")); err == nil {
			resp.Body.Close()
		}
	}()
	<-b.entered
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = s.Shutdown(ctx)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "Shutdown = %v", err)
	close(b.release)
}

// TestServe_TooLarge checks that a client sending a body over the cap reads the
// 413 answer, over HTTP/1.1 and over h2c.
//
// The body is twice the cap and small enough that the HTTP/1.1 client sends its
// headers and body in one write. The server answers before reading the body and
// closes the connection (about 500 ms later, net/http's wait before a close that
// would otherwise reset the connection); a client still writing a larger body
// then can get "broken pipe" instead of the answer, which is what happened with a
// 64 KiB body when the client was kept off the CPU that long (7 of a few hundred
// runs beside six busy loops on two cores).
func TestServe_TooLarge(t *testing.T) {
	_, url := mustServe(t, newFakeBackend(), server.Options{MaxRequestBytes: 1 << 10})
	h2c := h2cClient()
	t.Cleanup(h2c.CloseIdleConnections)
	body := `{"StreamName":"a","Records":[{"Data":"` + strings.Repeat("A", 2<<10) + `","PartitionKey":"k"}]}`
	for _, c := range []*http.Client{http.DefaultClient, h2c} {
		req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
		require.NoError(t, err)
		resp, err := c.Do(signed(req, "PutRecords"))
		require.NoError(t, err)
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "proto %s", resp.Proto)
		require.Equal(t, `{"__type":"RequestEntityTooLargeException","message":"Request body exceeds the limit of 1024 bytes."}`, string(got))
	}
}
