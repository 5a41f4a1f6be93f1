package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

const (
	allowHeaders = "Authorization, Content-Type, Date, X-Amz-Date, X-Amz-Target, X-Amz-Security-Token, " +
		"X-Amz-Content-Sha256, X-Amz-User-Agent, amz-sdk-invocation-id, amz-sdk-request"
	exposeHeaders = "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date"
)

// preflight sends the OPTIONS a browser sends before a Kinesis call from origin.
func preflight(t *testing.T, s http.Handler, origin string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodOptions, "/", nil)
	r.Header.Set("Origin", origin)
	r.Header.Set("Access-Control-Request-Method", "POST")
	r.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-amz-date,x-amz-target,x-evil")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code)
	require.Empty(t, w.Body.String())
	require.Equal(t, "0", w.Header().Get("Content-Length"))
	require.Empty(t, header(w.Header(), "x-amz-id-2"))
	require.Regexp(t, uuidRE, header(w.Header(), "x-amzn-RequestId"))
	return w
}

// postFrom sends a signed ListStreams with an Origin, as a page's fetch would.
func postFrom(t *testing.T, s http.Handler, origin string) *httptest.ResponseRecorder {
	t.Helper()
	r := signed(httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}")), "ListStreams")
	r.Header.Set("Origin", origin)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code)
	return w
}

// corsHeaders returns the Access-Control-* headers of an answer.
func corsHeaders(h http.Header) map[string]string {
	got := map[string]string{}
	for k, v := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			got[k] = strings.Join(v, "|")
		}
	}
	return got
}

// TestCORS_DefaultAnswersNoOrigin: by default no web page may call the server.
// A preflight from any origin gets no Access-Control-Allow-* header, so the
// browser never sends the call; a request with an Origin gets none either.
func TestCORS_DefaultAnswersNoOrigin(t *testing.T) {
	s, _ := mustNew(t, server.Options{})
	for _, origin := range []string{"https://evil.example", "http://localhost:3000", "null"} {
		require.Empty(t, corsHeaders(preflight(t, s, origin).Header()), "preflight from %s", origin)
		require.Empty(t, corsHeaders(postFrom(t, s, origin).Header()), "POST from %s", origin)
	}
}

// TestCORS_ListedOrigins: with CORSOrigins, a listed origin gets exactly the
// API's methods and the SDK's headers (not an echo of what it asked for), and
// the headers the JavaScript SDK reads; any other origin gets nothing.
func TestCORS_ListedOrigins(t *testing.T) {
	s, _ := mustNew(t, server.Options{CORSOrigins: []string{"http://localhost:3000", "https://app.example"}})
	w := preflight(t, s, "http://localhost:3000")
	require.Equal(t, map[string]string{
		"Access-Control-Allow-Origin":  "http://localhost:3000",
		"Access-Control-Allow-Methods": "POST, OPTIONS",
		"Access-Control-Allow-Headers": allowHeaders,
		"Access-Control-Max-Age":       "172800",
	}, corsHeaders(w.Header()))
	require.Equal(t, "Origin", w.Header().Get("Vary"))

	w = postFrom(t, s, "https://app.example")
	require.Equal(t, map[string]string{
		"Access-Control-Allow-Origin":   "https://app.example",
		"Access-Control-Expose-Headers": exposeHeaders,
	}, corsHeaders(w.Header()))
	require.Equal(t, "Origin", w.Header().Get("Vary"))

	for _, origin := range []string{"https://evil.example", "http://localhost:3001", "http://LOCALHOST:3000", "https://app.example.evil"} {
		w = preflight(t, s, origin)
		require.Empty(t, corsHeaders(w.Header()), "preflight from %s", origin)
		require.Equal(t, "Origin", w.Header().Get("Vary"))
		require.Empty(t, corsHeaders(postFrom(t, s, origin).Header()), "POST from %s", origin)
	}
}

// TestCORS_AnyOrigin: "*" given explicitly allows every origin, still with the
// fixed method and header lists.
func TestCORS_AnyOrigin(t *testing.T) {
	s, _ := mustNew(t, server.Options{CORSOrigins: []string{"*"}})
	w := preflight(t, s, "https://anything.example")
	require.Equal(t, map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "POST, OPTIONS",
		"Access-Control-Allow-Headers": allowHeaders,
		"Access-Control-Max-Age":       "172800",
	}, corsHeaders(w.Header()))
	require.Empty(t, w.Header().Get("Vary"))
	require.Equal(t, map[string]string{
		"Access-Control-Allow-Origin":   "*",
		"Access-Control-Expose-Headers": exposeHeaders,
	}, corsHeaders(postFrom(t, s, "https://anything.example").Header()))
}
