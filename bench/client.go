package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// client sends pre-encoded requests over HTTP/1.1 keep-alive connections. It does not sign
// them: it sends the headers of a SigV4 request with a dummy signature, which local servers
// (shardlog, kinesalite) check for presence only. Signing every body would cost the generator
// more than the server spends on it.
type client struct {
	http    *http.Client
	url     string
	headers map[string]http.Header // by operation; read-only once made
}

func newClient(endpoint, region string, conns int) *client {
	tr := &http.Transport{
		Proxy:               nil, // a load test measures the server, never a proxy
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		WriteBufferSize:     256 << 10,
		ReadBufferSize:      256 << 10,
	}
	c := &client{http: &http.Client{Transport: tr}, url: endpoint, headers: map[string]http.Header{}}
	date := time.Now().UTC().Format("20060102T150405Z")
	auth := fmt.Sprintf("AWS4-HMAC-SHA256 Credential=AKIDSHARDLOGBENCH/%s/%s/kinesis/aws4_request, "+
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=%064d", date[:8], region, 0)
	for _, op := range []string{"PutRecords", "PutRecord", "GetShardIterator", "GetRecords", "SubscribeToShard"} {
		c.headers[op] = http.Header{
			"Content-Type":  {"application/x-amz-json-1.1"},
			"X-Amz-Target":  {"Kinesis_20131202." + op},
			"X-Amz-Date":    {date},
			"Authorization": {auth},
		}
	}
	return c
}

// call sends body as operation op and returns the answer's status and body, read into buf
// (reused; the answer aliases it). An answer other than 200 is not an error here.
func (c *client) call(ctx context.Context, op string, body []byte, buf []byte) (status int, answer []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, buf, err
	}
	req.Header = c.headers[op]
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, buf, err
	}
	defer resp.Body.Close()
	answer, err = readBody(resp.Body, resp.ContentLength, buf)
	if err != nil {
		return 0, answer, fmt.Errorf("bench: %s: read answer: %w", op, err)
	}
	return resp.StatusCode, answer, nil
}

// open sends body as operation op and returns the answer as it starts, for the caller to
// read and close: the event stream of SubscribeToShard.
func (c *client) open(ctx context.Context, op string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = c.headers[op]
	return c.http.Do(req)
}

// readBody reads r into buf, growing it if needed; n is the length if known, else -1.
func readBody(r io.Reader, n int64, buf []byte) ([]byte, error) {
	if n >= 0 {
		if int64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		_, err := io.ReadFull(r, buf)
		return buf, err
	}
	b := bytes.NewBuffer(buf[:0])
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

func (c *client) close() { c.http.CloseIdleConnections() }
