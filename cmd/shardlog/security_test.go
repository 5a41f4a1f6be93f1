package main

import (
	"bytes"
	"flag"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// parseServe parses serve's flags and environment, then its security flags.
func parseServe(t *testing.T, args ...string) (serveConfig, error) {
	t.Helper()
	var cfg serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.flags(fs)
	require.NoError(t, fs.Parse(args))
	require.NoError(t, applyEnv(fs))
	return cfg, cfg.resolveSecurity()
}

func TestServeConfig_Auth(t *testing.T) {
	file := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(file, []byte("# team keys\nAKIDFILE1:secret/one\n\n  AKIDFILE2:secret+two  \n"), 0o600))

	cfg, err := parseServe(t, "--auth", "AKID1:s1,AKID2:s2", "--auth", "AKID3:s3:with:colons", "--auth-file", file)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"AKID1": "s1", "AKID2": "s2", "AKID3": "s3:with:colons",
		"AKIDFILE1": "secret/one", "AKIDFILE2": "secret+two"}, cfg.credentials)

	t.Setenv("SHARDLOG_AUTH", "AKIDENV:fromenv")
	cfg, err = parseServe(t)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"AKIDENV": "fromenv"}, cfg.credentials, "SHARDLOG_AUTH")
	cfg, err = parseServe(t, "--auth", "AKIDFLAG:fromflag")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"AKIDFLAG": "fromflag"}, cfg.credentials, "the command line wins")
}

func TestServeConfig_AuthDefaultIsOff(t *testing.T) {
	cfg, err := parseServe(t)
	require.NoError(t, err)
	require.Empty(t, cfg.credentials)
	require.Empty(t, cfg.corsOrigins)
}

func TestServeConfig_AuthErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	require.NoError(t, os.WriteFile(bad, []byte("AKID1:ok\nAKID2 TOPSECRET\n"), 0o600))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("# nothing\n"), 0o600))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--auth", "AKIDTOPSECRET"}, "--auth value 1: want ACCESS_KEY:SECRET, both non-empty"},
		{[]string{"--auth", "AKID1:a,:TOPSECRET"}, "--auth value 2: want ACCESS_KEY:SECRET, both non-empty"},
		{[]string{"--auth", "AKID1:"}, "--auth value 1: want ACCESS_KEY:SECRET, both non-empty"},
		{[]string{"--auth", "AKID1:a", "--auth", "AKID1:TOPSECRET"}, "--auth value 2: access key AKID1 is given twice with different secrets"},
		{[]string{"--auth-file", bad}, "--auth-file " + bad + " line 2: want ACCESS_KEY:SECRET, both non-empty"},
		{[]string{"--auth-file", empty}, "--auth-file " + empty + ": no ACCESS_KEY:SECRET line"},
		{[]string{"--auth-file", filepath.Join(dir, "missing")}, "--auth-file: open " + filepath.Join(dir, "missing") + ": no such file or directory"},
		{[]string{"--cors-origin", "http://localhost:3000/"}, `--cors-origin "http://localhost:3000/": want an origin such as http://localhost:3000 (lower-case scheme://host[:port], no path or trailing slash) or *`},
		{[]string{"--cors-origin", "localhost:3000"}, `--cors-origin "localhost:3000": want an origin`},
		{[]string{"--cors-origin", "http://App.example"}, `--cors-origin "http://App.example": want an origin`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := parseServe(t, tc.args...)
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), tc.want), "error %q, want prefix %q", err, tc.want)
			require.NotContains(t, err.Error(), "TOPSECRET", "a secret is never echoed")
		})
	}
}

func TestServeConfig_CORSOrigins(t *testing.T) {
	cfg, err := parseServe(t, "--cors-origin", "http://localhost:3000,https://app.example:8443", "--cors-origin", "*")
	require.NoError(t, err)
	require.Equal(t, listFlag{"http://localhost:3000", "https://app.example:8443", "*"}, cfg.corsOrigins)
}

// TestExposed decides when serve warns: a listener beyond loopback with no
// --auth.
func TestExposed(t *testing.T) {
	cases := []struct {
		ip     string
		authOn bool
		want   bool
	}{
		{"127.0.0.1", false, false},
		{"127.0.0.2", false, false},
		{"::1", false, false},
		{"0.0.0.0", false, true},
		{"::", false, true},
		{"192.168.1.20", false, true},
		{"0.0.0.0", true, false},
		{"192.168.1.20", true, false},
	}
	for _, tc := range cases {
		addr := &net.TCPAddr{IP: net.ParseIP(tc.ip), Port: 4567}
		require.Equal(t, tc.want, exposed(addr, tc.authOn), "exposed(%s, auth %v)", addr, tc.authOn)
	}
}

func TestWarnIfExposed(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	warnIfExposed(log, &net.TCPAddr{IP: net.IPv4zero, Port: 4567}, false)
	line := buf.String()
	require.Contains(t, line, "level=WARN")
	require.Contains(t, line, "addr=0.0.0.0:4567")
	require.Contains(t, line, "anyone who can reach this address can list, read, write and delete streams")
	require.Contains(t, line, "--auth ACCESS_KEY:SECRET")
	require.Equal(t, 1, strings.Count(line, "\n"))

	buf.Reset()
	warnIfExposed(log, &net.TCPAddr{IP: net.IPv4zero, Port: 4567}, true)
	warnIfExposed(log, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4567}, false)
	require.Empty(t, buf.String())
}
