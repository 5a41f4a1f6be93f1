package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

// TestMetrics: GET and HEAD /metrics go to Options.Metrics, unauthenticated even when
// signatures are verified; a POST to /metrics, and /metrics on a server without a handler,
// reach the Kinesis side and are refused there.
func TestMetrics(t *testing.T) {
	scrapes := 0
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scrapes++
		io.WriteString(w, "shardlog_up 1\n")
	})
	with := server.New(newFakeBackend(), server.Options{Credentials: map[string]string{"AKID": "secret"}, Metrics: handler})
	without := server.New(newFakeBackend(), server.Options{Credentials: map[string]string{"AKID": "secret"}})
	for _, tc := range []struct {
		name    string
		s       *server.Server
		method  string
		status  int
		body    string
		scrapes int
	}{
		{"GET", with, http.MethodGet, http.StatusOK, "shardlog_up 1\n", 1},
		{"HEAD", with, http.MethodHead, http.StatusOK, "", 1},
		{"POST", with, http.MethodPost, http.StatusBadRequest, "", 0},
		{"no handler", without, http.MethodGet, http.StatusForbidden, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scrapes = 0
			rec := httptest.NewRecorder()
			tc.s.ServeHTTP(rec, httptest.NewRequest(tc.method, server.MetricsPath, strings.NewReader("")))
			require.Equal(t, tc.status, rec.Code, "%s /metrics: %s", tc.method, rec.Body)
			require.Equal(t, tc.scrapes, scrapes)
			if tc.body != "" {
				require.Equal(t, tc.body, rec.Body.String())
			}
		})
	}
}
