package streambackend_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server"
)

// newSDKClient is an SDK client for endpoint over hc (a plain client if nil), without
// retries: one call, one request.
func newSDKClient(endpoint string, hc *http.Client) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
		HTTPClient:       testutil.SDKHTTPClient(hc),
	})
}

// mustServe serves b on 127.0.0.1 with Serve, which speaks HTTP/1.1 and h2c, and returns
// the base URL; the server shuts down when the test ends.
func mustServe(t *testing.T, b server.Backend) string {
	t.Helper()
	s := server.New(b, server.Options{Logger: discardLogger()})
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
	return "http://" + ln.Addr().String()
}

// h2cClient speaks only HTTP/2 with prior knowledge over plain TCP, as the AWS SDK for
// JavaScript v3 does by default.
func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}

// do sends one signed JSON request for op through the handler.
func do(t *testing.T, h http.Handler, op, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := testutil.SetKinesisHeaders(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)), op)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// cborText encodes a CBOR text string shorter than 256 bytes.
func cborText(s string) string {
	if len(s) < 24 {
		return string([]byte{0x60 | byte(len(s))}) + s
	}
	return string([]byte{0x78, byte(len(s))}) + s
}
