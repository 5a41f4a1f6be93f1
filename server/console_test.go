package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

// TestInvoke: a call from inside the process goes through the whole request path but the
// signature: the model's constraints, Admit, the Backend, and the API's errors as they are.
func TestInvoke(t *testing.T) {
	fake := newFakeBackend()
	var admitted []string
	s := server.New(fake, server.Options{Credentials: map[string]string{"AKID": "secret"},
		Admit: func(_ context.Context, op, stream string) error {
			admitted = append(admitted, op+" "+stream)
			return nil
		}})
	for _, tc := range []struct {
		name, op, body string
		status         int
		errType        string
	}{
		{"runs", "CreateStream", `{"StreamName":"orders","ShardCount":2}`, http.StatusOK, ""},
		{"model constraint", "CreateStream", `{"StreamName":"no spaces","ShardCount":2}`, http.StatusBadRequest, "ValidationException"},
		{"type error", "CreateStream", `{"StreamName":5}`, http.StatusBadRequest, "SerializationException"},
		{"unknown operation", "Nope", `{}`, http.StatusBadRequest, "UnknownOperationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			admitted = nil
			status, out := s.Invoke(context.Background(), tc.op, []byte(tc.body))
			require.Equal(t, tc.status, status, "Invoke(%s, %s) status; answer %s", tc.op, tc.body, out)
			if tc.errType != "" {
				require.Contains(t, string(out), tc.errType, "Invoke(%s, %s) answer", tc.op, tc.body)
				require.Empty(t, admitted, "Admit of a refused request")
				return
			}
			require.Equal(t, []string{"CreateStream orders"}, admitted, "Admit of a valid request")
			op, in := fake.lastCall()
			require.Equal(t, "CreateStream", op)
			require.Equal(t, "orders", in.(*server.CreateStreamInput).StreamName)
		})
	}

	// The same body over HTTP without a signature is refused: only Invoke skips it.
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"StreamName":"orders","ShardCount":2}`))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "Kinesis_20131202.CreateStream")
	s.ServeHTTP(rec, r)
	require.Equal(t, http.StatusBadRequest, rec.Code, "unsigned CreateStream over HTTP: %s", rec.Body)
	require.Contains(t, rec.Body.String(), "MissingAuthenticationToken")
}

// TestConsole_Routing: everything under /console/ goes to Options.Console, unsigned; without
// one, /console/ is an unsigned Kinesis request and refused.
func TestConsole_Routing(t *testing.T) {
	console := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "console "+r.URL.Path) })
	with := server.New(newFakeBackend(), server.Options{Credentials: map[string]string{"AKID": "secret"}, Console: console})
	without := server.New(newFakeBackend(), server.Options{Credentials: map[string]string{"AKID": "secret"}})
	for _, tc := range []struct {
		name, method, path string
		s                  *server.Server
		status             int
		body               string
	}{
		{"page", http.MethodGet, "/console/", with, http.StatusOK, "console /console/"},
		{"bare", http.MethodGet, "/console", with, http.StatusOK, "console /console"},
		{"call", http.MethodPost, "/console/api/call/ListStreams", with, http.StatusOK, "console /console/api/call/ListStreams"},
		{"not a prefix", http.MethodGet, "/consoles", with, http.StatusForbidden, ""},
		{"no console", http.MethodGet, "/console/", without, http.StatusForbidden, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.s.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, strings.NewReader("{}")))
			require.Equal(t, tc.status, rec.Code, "%s %s: %s", tc.method, tc.path, rec.Body)
			if tc.body != "" {
				require.Equal(t, tc.body, rec.Body.String())
			}
		})
	}
}

// TestConsole_EndsAtShutdown: a console request that lasts until its page goes (the live
// view) ends at Shutdown, so that the drain does not wait for it.
func TestConsole_EndsAtShutdown(t *testing.T) {
	started := make(chan struct{})
	console := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		http.NewResponseController(w).Flush()
		close(started)
		<-r.Context().Done()
	})
	s := server.New(newFakeBackend(), server.Options{Console: console})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go s.Serve(ln)
	resp, err := http.Get("http://" + ln.Addr().String() + "/console/api/live")
	require.NoError(t, err)
	defer resp.Body.Close()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, s.Shutdown(ctx), "Shutdown with a live console request open")
}
