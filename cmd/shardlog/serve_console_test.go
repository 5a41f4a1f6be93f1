package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestServe_ConsoleWithoutToken(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 2, run([]string{"serve", "--console", "--data", t.TempDir()}, &out, &errOut))
	require.Contains(t, errOut.String(), "--console needs --console-token")
}

// get fetches path from the server and returns the status and the body.
func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestServe_Console: the console is on by default on loopback; a token makes it ask for
// the token; --auth without a token turns it off, so that it is no way around the
// signatures; --no-console turns it off.
func TestServe_Console(t *testing.T) {
	skipShort(t)
	t.Run("default", func(t *testing.T) {
		srv := startServer(t, t.TempDir())
		status, body := get(t, http.DefaultClient, srv.Endpoint+"/console/")
		require.Equal(t, http.StatusOK, status, body)
		require.Contains(t, body, `name="shardlog-csrf"`)
	})
	t.Run("token", func(t *testing.T) {
		srv := startServer(t, t.TempDir(), "--console-token", "s3cret")
		status, body := get(t, http.DefaultClient, srv.Endpoint+"/console/")
		require.Equal(t, http.StatusForbidden, status, body)
		jar, err := cookiejar.New(nil)
		require.NoError(t, err)
		withJar := &http.Client{Jar: jar}
		status, body = get(t, withJar, srv.Endpoint+"/console/?token=s3cret")
		require.Equal(t, http.StatusOK, status, "after the redirect that sets the cookie: %s", body)
		status, body = get(t, withJar, srv.Endpoint+"/console/api/streams")
		require.Equal(t, http.StatusOK, status, body)
		require.Contains(t, body, `"Streams":[]`)
	})
	for _, tc := range []struct {
		name string
		args []string
		log  string
	}{
		{"auth without a token", []string{"--auth", "AKID:secret"}, "web console off"},
		{"no-console", []string{"--no-console"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, t.TempDir(), tc.args...)
			status, body := get(t, http.DefaultClient, srv.Endpoint+"/console/")
			require.Equal(t, http.StatusForbidden, status, body)
			require.False(t, strings.Contains(body, "shardlog-csrf"), "the console page was served")
			require.Contains(t, srv.Log(), tc.log)
		})
	}
}
