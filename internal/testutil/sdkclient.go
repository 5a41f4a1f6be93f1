package testutil

import (
	"bytes"
	"io"
	"net/http"
)

// SDKHTTPClient returns the HTTP client for the tests' AWS SDK clients: hc (a plain
// http.Client if nil), handed request bodies of its own.
//
// It works around a client race of aws-sdk-go-v2 (issues #1825 and #2737), which fails a call
// after a 200 with "use of closed network connection", against any server. smithy-go wraps
// the request body in a reader whose WriteTo returns io.EOF, an error, once the body is
// closed, and the SDK closes it as soon as Do returns the answer's headers. net/http's write
// loop, after sending the body, reads it once more to check that it is at its end (through
// WriteTo); if the SDK has closed the body by then, the write loop takes the io.EOF for a
// failed write and closes the connection under the answer being read. The server cannot
// prevent it, and answers sent in pieces (large GetRecords), whose headers come early, make it
// likelier. A body read in full beforehand, which the SDK never closes, takes the SDK's close
// out of the write loop's way. It retries nothing, so a test still sees every failure of the
// server.
func SDKHTTPClient(hc *http.Client) *OwnBodyClient {
	if hc == nil {
		hc = &http.Client{}
	}
	return &OwnBodyClient{hc: hc}
}

// OwnBodyClient sends each request with a copy of its body; see SDKHTTPClient.
type OwnBodyClient struct{ hc *http.Client }

// Do sends r with a body of its own.
func (c *OwnBodyClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return c.hc.Do(r)
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	own := r.Clone(r.Context())
	own.Body = io.NopCloser(bytes.NewReader(b))
	own.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	own.ContentLength = int64(len(b))
	return c.hc.Do(own)
}
