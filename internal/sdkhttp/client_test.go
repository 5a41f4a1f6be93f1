package sdkhttp_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/sdkhttp"
)

// closingBody stands for smithy-go's request body: once closed, it reads as an error.
type closingBody struct {
	r      io.Reader
	closed bool
}

func (b *closingBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, io.ErrClosedPipe
	}
	return b.r.Read(p)
}

func (b *closingBody) Close() error { b.closed = true; return nil }

// TestClient_OwnBody: the request goes out with a body of its own, of the caller's bytes and
// length, read in full before it is sent, so that the caller closing its body while the
// answer is read touches nothing of the connection; a request without a body goes as it is.
func TestClient_OwnBody(t *testing.T) {
	type seen struct {
		body   string
		length int64
	}
	got := make(chan seen, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		got <- seen{string(b), r.ContentLength}
		_, _ = io.WriteString(w, "answer")
	}))
	defer srv.Close()
	c := sdkhttp.New(nil)

	body := &closingBody{r: strings.NewReader("payload")}
	req, err := http.NewRequest(http.MethodPost, srv.URL, body)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	require.NoError(t, body.Close(), "the caller closes its body as soon as the headers are in")
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, "answer", string(b))
	require.Equal(t, seen{"payload", 7}, <-got)
	n, err := body.r.Read(make([]byte, 1))
	require.Equal(t, 0, n)
	require.ErrorIs(t, err, io.EOF, "the caller's body was read to its end before the request went out")

	req, err = http.NewRequest(http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err = c.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, seen{"", 0}, <-got)
}

// TestClient_GetBody: a redirect or a retry of net/http gets the same bytes again.
func TestClient_GetBody(t *testing.T) {
	hops := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		require.Equal(t, "again", string(b), "hop %d", hops)
		hops++
		if r.URL.Path == "/first" {
			http.Redirect(w, r, "/second", http.StatusTemporaryRedirect)
		}
	}))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/first", io.NopCloser(bytes.NewReader([]byte("again"))))
	require.NoError(t, err)
	resp, err := sdkhttp.New(nil).Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 2, hops, "the 307 was followed with the body")
}
