package server_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

// testCertificate returns the certificate of net/http/httptest's TLS servers (for
// 127.0.0.1 and example.com) and a pool that trusts it.
func testCertificate(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.StartTLS()
	defer ts.Close()
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	return ts.TLS.Certificates[0], pool
}

// TestServeTLS serves HTTPS beside plain text on another listener of the same Server: a
// client that offers h2 by ALPN gets HTTP/2, one that offers only HTTP/1.1 gets it, and the
// plain listener keeps answering plain HTTP.
func TestServeTLS(t *testing.T) {
	cert, pool := testCertificate(t)
	s := server.New(newFakeBackend(), server.Options{})
	tlsLn, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	plainLn, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 2)
	go func() { done <- s.ServeTLS(tlsLn, &tls.Config{Certificates: []tls.Certificate{cert}}) }()
	go func() { done <- s.Serve(plainLn) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, s.Shutdown(ctx)) // t.Context is already done in a cleanup
		require.ErrorIs(t, <-done, server.ErrClosed)
		require.ErrorIs(t, <-done, server.ErrClosed)
	})

	cases := []struct {
		name      string
		url       string
		transport *http.Transport
		proto     int
	}{
		{"h2 by ALPN", "https://" + tlsLn.Addr().String(),
			&http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}, 2},
		{"HTTP/1.1 over TLS", "https://" + tlsLn.Addr().String(),
			&http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}}}, 1},
		{"plain text beside", "http://" + plainLn.Addr().String(), &http.Transport{}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.transport.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tc.transport}).Get(tc.url + server.HealthPath)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, tc.proto, resp.ProtoMajor, "GET /health answered over %s", resp.Proto)
		})
	}
}
