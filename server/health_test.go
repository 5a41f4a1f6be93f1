package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

// TestHealth answers GET and HEAD /health with the owner's report, unauthenticated even when
// signatures are verified, 503 when the report is not ready; every other GET and a POST to
// /health still reach the Kinesis side.
func TestHealth(t *testing.T) {
	started := time.Now().Add(-90 * time.Second)
	ready := true
	s := server.New(newFakeBackend(), server.Options{
		Credentials: map[string]string{"AKID": "secret"},
		Health: func(context.Context) server.Health {
			h := server.Health{Ready: ready, Version: "v1.2.3", Started: started, DataDir: "/data", Streams: 3}
			if !ready {
				h.Reason = "store closed"
			}
			return h
		},
	})
	type report struct {
		Status        string            `json:"status"`
		Reason        string            `json:"reason"`
		Services      map[string]string `json:"services"`
		Version       string            `json:"version"`
		UptimeSeconds float64           `json:"uptimeSeconds"`
		DataDir       string            `json:"dataDirectory"`
		Streams       int               `json:"streams"`
	}
	get := func(method, path string) (*httptest.ResponseRecorder, report) {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		var rep report
		if method == http.MethodGet && w.Code != http.StatusForbidden {
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &rep), "body %q", w.Body.String())
		}
		return w, rep
	}

	w, rep := get(http.MethodGet, "/health")
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	require.Equal(t, "ok", rep.Status)
	require.Equal(t, map[string]string{"kinesis": "running"}, rep.Services)
	require.Equal(t, "v1.2.3", rep.Version)
	require.Equal(t, "/data", rep.DataDir)
	require.Equal(t, 3, rep.Streams)
	require.GreaterOrEqual(t, rep.UptimeSeconds, 90.0)

	w, _ = get(http.MethodHead, "/health")
	require.Equal(t, http.StatusOK, w.Code)
	require.Empty(t, w.Body.String())

	ready = false
	w, rep = get(http.MethodGet, "/health")
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "unavailable", rep.Status)
	require.Equal(t, "store closed", rep.Reason)

	for _, path := range []string{"/", "/healthz", "/health/x"} {
		w, _ = get(http.MethodGet, path)
		require.Equal(t, http.StatusForbidden, w.Code, "GET %s", path)
		require.Equal(t, accessDeniedXML, w.Body.String(), "GET %s", path)
	}
	r := signed(httptest.NewRequest(http.MethodPost, "/health", nil), "ListStreams")
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	require.Equal(t, http.StatusBadRequest, w.Code, "POST /health is a Kinesis call: %s", w.Body.String())
}

// TestHealth_NoHook: a server without Options.Health reports itself ready.
func TestHealth_NoHook(t *testing.T) {
	s := server.New(newFakeBackend(), server.Options{})
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/health", nil))
	require.Equal(t, http.StatusOK, w.Code)
	require.JSONEq(t, `{"status":"ok","services":{"kinesis":"running"},"uptimeSeconds":0,"streams":0}`, w.Body.String())
}
