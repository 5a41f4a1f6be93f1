package sdkhttp

import (
	"bytes"
	"io"
	"net/http"
)

// Client sends each request with a copy of its body; see the package documentation.
type Client struct{ hc *http.Client }

// New returns a Client sending through hc, or through a plain http.Client if hc is nil.
func New(hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{hc: hc}
}

// Do sends r with a body of its own.
func (c *Client) Do(r *http.Request) (*http.Response, error) {
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
