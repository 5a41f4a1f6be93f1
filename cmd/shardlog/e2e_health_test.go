package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServe_Health: GET /health on the API port answers, unauthenticated even with --auth,
// the readiness report with the version, the data directory and the stream count, and
// `shardlog ping` exits 0 against it.
func TestServe_Health(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir, "--auth", "AKIDSHARDLOGTEST:secret")
	mustCreate(t, srv.Endpoint, "one", 1)

	resp, err := http.Get(srv.Endpoint + "/health")
	require.NoError(t, err)
	var rep struct {
		Status   string            `json:"status"`
		Services map[string]string `json:"services"`
		Version  string            `json:"version"`
		Build    map[string]string `json:"build"`
		DataDir  string            `json:"dataDirectory"`
		Streams  int               `json:"streams"`
		Uptime   float64           `json:"uptimeSeconds"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "ok", rep.Status)
	require.Equal(t, "running", rep.Services["kinesis"])
	require.Equal(t, readBuildInfoOf(t).Version, rep.Version)
	require.Equal(t, runtime.Version(), rep.Build["go"])
	require.Equal(t, dir, rep.DataDir)
	require.Equal(t, 1, rep.Streams)
	require.Positive(t, rep.Uptime)

	out, err := exec.Command(binPath, "ping", "--endpoint", srv.Endpoint).CombinedOutput()
	require.NoError(t, err, "shardlog ping: %s", out)
	require.Contains(t, string(out), srv.Endpoint+" is ready: shardlog ")
	require.Contains(t, string(out), ", 1 stream\n")

	srv.Stop(t)
	out, err = exec.Command(binPath, "ping", "--endpoint", srv.Endpoint).CombinedOutput()
	require.Error(t, err, "shardlog ping of a stopped server: %s", out)
	require.Contains(t, string(out), "connection refused: is shardlog serve running there?")
}

// readBuildInfoOf returns the build information the binary under test reports.
func readBuildInfoOf(t *testing.T) buildInfo {
	t.Helper()
	out, err := exec.Command("go", "version", "-m", binPath).Output()
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\tmod\t\S+\t(\S+)`).FindSubmatch(out)
	require.NotNil(t, m, "go version -m %s:\n%s", binPath, out)
	return buildInfo{Version: string(m[1])}
}

// TestPing_TLS pings the HTTPS listener: trusting the generated certificate with
// --ca-bundle it is ready; without, it says how to trust it.
func TestPing_TLS(t *testing.T) {
	dir := t.TempDir()
	_, endpoint := startTLSServer(t, dir)
	var stdout, stderr bytes.Buffer
	code := run([]string{"ping", "--endpoint", endpoint, "--ca-bundle", filepath.Join(dir, "tls", "cert.pem")}, &stdout, &stderr)
	require.Equal(t, 0, code, "ping: %s%s", stdout.String(), stderr.String())
	stdout.Reset()
	code = run([]string{"ping", "--endpoint", endpoint}, &stdout, &stderr)
	require.Equal(t, 1, code)
	require.Contains(t, stderr.String(), "its certificate is not trusted: give it with --ca-bundle")
}

// TestPing_Answers: what ping makes of each answer.
func TestPing_Answers(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedURL := "http://" + closed.Addr().String()
	closed.Close()
	cases := []struct {
		name    string
		status  int
		body    string
		code    int
		message string // in stdout for 0, stderr otherwise
	}{
		{"ready", 200, `{"status":"ok","version":"v1.0.0","uptimeSeconds":61.5,"streams":2}`, 0, "is ready: shardlog v1.0.0, up 1m1s, 2 streams\n"},
		{"not ready", 503, `{"status":"unavailable","reason":"the store is closed"}`, 1, "is not ready (503 Service Unavailable): the store is closed"},
		{"not shardlog", 403, `<AccessDeniedException/>`, 1, "answered 403 Forbidden without a health report: not a shardlog server, or one older than /health"},
		{"nothing listening", 0, "", 1, "connection refused: is shardlog serve running there?"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			endpoint := closedURL
			if tc.status != 0 {
				ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					require.Equal(t, "/health", r.URL.Path)
					w.WriteHeader(tc.status)
					w.Write([]byte(tc.body))
				}))
				defer ts.Close()
				endpoint = ts.URL
			}
			var stdout, stderr bytes.Buffer
			code := run([]string{"ping", "--endpoint", endpoint}, &stdout, &stderr)
			require.Equal(t, tc.code, code, "ping exit code; stderr %s", stderr.String())
			got := stderr.String()
			if tc.code == 0 {
				got = stdout.String()
			}
			require.Contains(t, got, tc.message)
			require.True(t, tc.code != 0 || strings.HasPrefix(got, endpoint), "ping output %q", got)
		})
	}
}

// TestServe_RecoveryLog: the start-up log says whether the last shutdown was clean, and
// after a crash what recovery scanned.
func TestServe_RecoveryLog(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	require.Contains(t, srv.Log(), `msg="shardlog starting" version=`)
	kc := mustCreate(t, srv.Endpoint, "rec", 2)
	putLines(t, kc, "rec", "a", "a1", "a2", "a3")
	srv.Kill()

	srv = startServer(t, dir)
	crashed := regexp.MustCompile(`level=WARN msg="recovery: the last shutdown was not clean; the logs were scanned and repaired" ` +
		`clean=false streams=1 shards=2 segments_scanned=2 bytes_scanned=[1-9]\d* torn_tails=0 tail_bytes_cut=0 quarantined=0 took=\S+`)
	require.Regexp(t, crashed, srv.Log())
	srv.Stop(t)

	srv = startServer(t, dir)
	require.Regexp(t, `level=INFO msg="recovery: the last shutdown was clean" clean=true streams=1 shards=2 segments_scanned=0 bytes_scanned=0 `, srv.Log())
}
