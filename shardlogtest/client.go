package shardlogtest

import (
	"bytes"
	"io"
	"net/http"
)

// bufferedBodyClient is the HTTP client of the SDK clients this package makes. It sends
// every request with a body it owns, read in full beforehand.
//
// That avoids a client race of aws-sdk-go-v2 (its issues #1825 and #2737) which fails a
// call that the server answered 200 with "use of closed network connection", under
// concurrent load, against any server. The SDK closes its request body as soon as the
// answer's headers arrive, while net/http's write loop may still look at that body to see
// that it is at its end; the closed body then reads as a failed write, and the connection
// is closed under the answer. A body the SDK does not hold is out of its reach. Nothing
// is retried, so a test still sees every failure of the server.
type bufferedBodyClient struct{ hc *http.Client }

// Do sends r with a copy of its body.
func (c bufferedBodyClient) Do(r *http.Request) (*http.Response, error) {
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
