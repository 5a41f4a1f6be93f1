package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
)

// clientDeadline bounds how long a test waits for an answer the server owes
// it, so that a server without the limit under test fails instead of hanging.
const clientDeadline = 20 * time.Second

// mustServe runs a server with opts on 127.0.0.1 and checks, at cleanup,
// that every byte counted against MaxInFlightBytes has been returned.
func mustServe(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := New(newNopBackend(1), opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), clientDeadline)
		defer cancel()
		require.NoError(t, s.Shutdown(ctx))
		require.ErrorIs(t, <-done, ErrClosed)
		requireReleased(t, s)
	})
	return s, ln.Addr().String()
}

// requireReleased waits until no request holds in-flight bytes.
func requireReleased(t *testing.T, s *Server) {
	t.Helper()
	require.Eventually(t, func() bool { return s.inFlight.inUse() == 0 }, clientDeadline, time.Millisecond,
		"in-flight bytes = %d after every request ended, want 0", s.inFlight.inUse())
}

// awaitInUse waits until requests hold exactly n in-flight bytes.
func awaitInUse(t *testing.T, s *Server, n int64) {
	t.Helper()
	require.Eventually(t, func() bool { return s.inFlight.inUse() == n }, clientDeadline, time.Millisecond,
		"in-flight bytes = %d, want %d", s.inFlight.inUse(), n)
}

// startRaw opens an HTTP/1.1 connection and sends the head of a PutRecords
// request that declares declared bytes of body, then the first bytes of body.
func startRaw(t *testing.T, addr string, declared int, body string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: shardlog\r\nContent-Type: %s\r\n"+
		"X-Amz-Target: Kinesis_20131202.PutRecords\r\nContent-Length: %d\r\n\r\n%s", contentTypeJSON, declared, body)
	require.NoError(t, err)
	return conn
}

// readAnswer reads the response on conn, and whether the server then closed
// it: an end of file, or a reset when the server closed with unread bytes.
func readAnswer(t *testing.T, conn net.Conn) (*http.Response, string, bool) {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(clientDeadline)))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err, "no answer from the server")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	_, err = br.ReadByte()
	return resp, string(body), err == io.EOF || errors.Is(err, syscall.ECONNRESET)
}

// TestReadBody_SlowBody checks that a body that stalls, or trickles in below
// the minimum rate, is cut off with 408 RequestTimeoutException and the
// connection closed.
func TestReadBody_SlowBody(t *testing.T) {
	opts := Options{BodyReadTimeout: 200 * time.Millisecond, MinBodyBytesPerSecond: 1000}
	cases := []struct {
		name  string
		every time.Duration // pause between single bytes after the first ten; 0: none are sent
	}{
		{"stall", 0},
		{"trickle", 20 * time.Millisecond}, // 50 bytes/s, with no pause near the timeout
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, addr := mustServe(t, opts)
			conn := startRaw(t, addr, 1000, `{"Records":[`)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			if tc.every > 0 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tick := time.NewTicker(tc.every)
					defer tick.Stop()
					for range 900 {
						select {
						case <-stop:
							return
						case <-tick.C:
						}
						if _, err := conn.Write([]byte(" ")); err != nil {
							return
						}
					}
				}()
			}
			resp, body, closed := readAnswer(t, conn)
			close(stop)
			wg.Wait()
			require.Equal(t, http.StatusRequestTimeout, resp.StatusCode, "body: %s", body)
			require.Equal(t, kinesis.TypeRequestTimeout, resp.Header.Get("x-amzn-ErrorType"))
			require.Contains(t, body, `"__type":"RequestTimeoutException"`)
			require.True(t, closed, "the connection stays open after a cut-off body")
		})
	}
}

// TestReadBody_TooLargeWhileSending checks that a client that sends its whole
// body before it reads the answer, as botocore does, gets the 413 of a body
// over the cap however long the sending takes, instead of a reset: the server
// reads and discards the rest of the body before it closes the connection.
// The pieces go out over more than net/http's 500 ms between an answer and the
// close of a connection whose request body was left unread. A body up to
// twice the cap is read to its end; a larger one is still reset.
func TestReadBody_TooLargeWhileSending(t *testing.T) {
	_, addr := mustServe(t, Options{MaxRequestBytes: 512 << 10}) // the body is twice that
	const piece, pieces = 64 << 10, 16
	conn := startRaw(t, addr, piece*pieces, "")
	chunk := []byte(strings.Repeat(" ", piece))
	for i := range pieces {
		time.Sleep(100 * time.Millisecond)
		_, err := conn.Write(chunk)
		require.NoError(t, err, "piece %d of %d of the body", i+1, pieces)
	}
	resp, body, closed := readAnswer(t, conn)
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "body: %s", body)
	require.Equal(t, `{"__type":"RequestEntityTooLargeException","message":"Request body exceeds the limit of 524288 bytes."}`, body)
	require.True(t, closed, "the connection stays open after a body over the cap")
}

// TestReadBody_TooLargeExpectContinue checks that a client that waits for a
// 100 Continue before it sends its body is answered 413 at once, without the
// 100 Continue that would make it send a body only to have it thrown away.
func TestReadBody_TooLargeExpectContinue(t *testing.T) {
	_, addr := mustServe(t, Options{MaxRequestBytes: 1 << 10})
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: shardlog\r\nContent-Type: %s\r\n"+
		"X-Amz-Target: Kinesis_20131202.PutRecords\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n",
		contentTypeJSON, 4<<10)
	require.NoError(t, err)
	resp, body, closed := readAnswer(t, conn)
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "body: %s", body)
	require.Contains(t, body, `"__type":"RequestEntityTooLargeException"`)
	require.True(t, closed, "the connection stays open after a body over the cap")
}

// h2cClient speaks HTTP/2 with prior knowledge, as the JavaScript SDK does.
func h2cClient(t *testing.T) *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: clientDeadline}
}

// h2cRequest starts a PutRecords request on client whose body declares
// declared bytes, sends first, and then sends nothing until the returned
// writer is written to or closed.
func h2cRequest(t *testing.T, addr string, declared int, first string) (*http.Request, *io.PipeWriter) {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.CloseWithError(io.ErrUnexpectedEOF) })
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", pr)
	require.NoError(t, err)
	req.ContentLength = int64(declared)
	req.Header.Set("Content-Type", contentTypeJSON)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecords")
	go func() { pw.Write([]byte(first)) }()
	return req, pw
}

// TestReadBody_SlowBody_H2C checks the read deadline on an HTTP/2 stream.
func TestReadBody_SlowBody_H2C(t *testing.T) {
	_, addr := mustServe(t, Options{BodyReadTimeout: 200 * time.Millisecond, MinBodyBytesPerSecond: 1000})
	req, _ := h2cRequest(t, addr, 1000, `{"Records":[`)
	resp, err := h2cClient(t).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 2, resp.ProtoMajor)
	require.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	require.Equal(t, kinesis.TypeRequestTimeout, resp.Header.Get("x-amzn-ErrorType"))
}

// TestReadBody_DeclaredLengthNotAllocated checks that a body is held in a
// buffer that grows with what arrives, not with what the client declares.
func TestReadBody_DeclaredLengthNotAllocated(t *testing.T) {
	type read struct{ n, allocated int }
	reads := make(chan read, 100)
	s, addr := mustServe(t, Options{onBodyRead: func(n, allocated int) {
		select {
		case reads <- read{n, allocated}:
		default:
		}
	}})
	sent := `{"Records":[` + strings.Repeat(" ", 88)
	conn := startRaw(t, addr, 7_000_000, sent)
	var last read
	for last.n < len(sent) {
		select {
		case last = <-reads:
		case <-time.After(clientDeadline):
			t.Fatalf("the server read %d of the %d bytes sent", last.n, len(sent))
		}
	}
	require.LessOrEqual(t, last.allocated, minBodyStep,
		"%d bytes allocated for %d bytes received of 7000000 declared", last.allocated, last.n)
	require.LessOrEqual(t, s.inFlight.inUse(), int64(minBodyStep), "in-flight bytes for %d bytes received", last.n)
	conn.Close()
	requireReleased(t, s)
}

// smallPut is a valid PutRecords body of a few bytes.
const smallPut = `{"StreamName":"s","Records":[{"Data":"AAAA","PartitionKey":"k"}]}`

// signHeaders adds a syntactically complete SigV4 signature.
func signHeaders(h http.Header) {
	h.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=abc")
	h.Set("X-Amz-Date", "20260101T000000Z")
}

// inFlightCase sets up a server whose MaxInFlightBytes holds nine bodies of
// 100,000 bytes and not a tenth.
const (
	capBody     = 100_000
	capHeld     = 9
	capInFlight = 950_000
)

func capOptions() Options {
	return Options{MaxRequestBytes: capBody, MaxInFlightBytes: capInFlight, InFlightWait: 50 * time.Millisecond}
}

// TestInFlight_Cap checks that the large request that would pass
// MaxInFlightBytes is refused with 503 ServiceUnavailable while a small one
// goes through, and that every byte is released once the clients leave.
func TestInFlight_Cap(t *testing.T) {
	s, addr := mustServe(t, capOptions())
	require.Equal(t, int64(capInFlight), s.opts.MaxInFlightBytes)
	almost := strings.Repeat(" ", capBody-1) // all but the last byte
	held := make([]net.Conn, capHeld)
	for i := range held {
		held[i] = startRaw(t, addr, capBody, almost)
	}
	awaitInUse(t, s, capHeld*capBody)

	next := startRaw(t, addr, capBody, almost)
	resp, body, closed := readAnswer(t, next)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "body: %s", body)
	require.Equal(t, kinesis.TypeServiceUnavailable, resp.Header.Get("x-amzn-ErrorType"))
	require.Contains(t, body, `"__type":"ServiceUnavailable"`)
	require.True(t, closed, "the connection of a refused body stays open")

	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(smallPut))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentTypeJSON)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecords")
	signHeaders(req.Header)
	small, err := (&http.Client{Timeout: clientDeadline}).Do(req)
	require.NoError(t, err)
	small.Body.Close()
	require.Equal(t, http.StatusOK, small.StatusCode, "a small request while the cap is held")

	for _, c := range held {
		c.Close()
	}
	requireReleased(t, s)
}

// TestInFlight_Cap_H2C checks that the streams of one HTTP/2 connection count
// against the same cap.
func TestInFlight_Cap_H2C(t *testing.T) {
	s, addr := mustServe(t, capOptions())
	client := h2cClient(t)
	almost := strings.Repeat(" ", capBody-1)
	var wg sync.WaitGroup
	pipes := make([]*io.PipeWriter, capHeld)
	for i := range pipes {
		var req *http.Request
		req, pipes[i] = h2cRequest(t, addr, capBody, almost)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	awaitInUse(t, s, capHeld*capBody)

	req, _ := h2cRequest(t, addr, capBody, almost)
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 2, resp.ProtoMajor)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, kinesis.TypeServiceUnavailable, resp.Header.Get("x-amzn-ErrorType"))

	req, err = http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(smallPut))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentTypeJSON)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecords")
	signHeaders(req.Header)
	small, err := client.Do(req)
	require.NoError(t, err)
	small.Body.Close()
	require.Equal(t, http.StatusOK, small.StatusCode, "a small stream while the cap is held")

	for _, pw := range pipes {
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}
	wg.Wait()
	requireReleased(t, s)
}
