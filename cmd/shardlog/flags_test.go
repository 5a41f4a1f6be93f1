package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/server"
)

func TestRun_ExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"help", []string{"help"}, 0},
		{"version", []string{"version"}, 0},
		{"serve -h", []string{"serve", "-h"}, 0},
		{"serve bad flag", []string{"serve", "--no-such-flag"}, 2},
		{"serve bad sync", []string{"serve", "--sync", "sometimes", "--data", "x"}, 1},
		{"serve stray argument", []string{"serve", "extra"}, 2},
		{"serve bad compression", []string{"serve", "--compression", "lz4", "--data", "x"}, 2},
		{"put -h", []string{"put", "-h"}, 0},
		{"tail bad flag", []string{"tail", "--no-such-flag"}, 2},
		{"bench -h", []string{"bench", "-h"}, 0},
		{"inspect dump -h", []string{"inspect", "dump", "-h"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			got := run(tt.args, &out, &errOut)
			require.Equal(t, tt.want, got, "run(%q) exit code; stderr:\n%s", tt.args, errOut.String())
		})
	}
}

func TestApplyEnv(t *testing.T) {
	var cfg serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.flags(fs)
	t.Setenv("SHARDLOG_SYNC_INTERVAL", "250ms")
	t.Setenv("SHARDLOG_LISTEN", "127.0.0.1:9999")
	t.Setenv("SHARDLOG_REGION", "eu-west-1")
	require.NoError(t, fs.Parse([]string{"--region", "ap-south-1"}))
	require.NoError(t, applyEnv(fs))
	require.Equal(t, 250*time.Millisecond, cfg.syncInterval, "from the environment")
	require.Equal(t, "127.0.0.1:9999", cfg.listen, "from the environment")
	require.Equal(t, "ap-south-1", cfg.region, "the command line wins over the environment")

	t.Setenv("SHARDLOG_MAX_INFLIGHT_BYTES", "1048576")
	require.NoError(t, applyEnv(fs))
	require.Equal(t, int64(1<<20), cfg.requests.apply(server.Options{}).MaxInFlightBytes, "a request limit from the environment")

	t.Setenv("SHARDLOG_COMPRESSION", "zstd")
	require.NoError(t, applyEnv(fs))
	require.Equal(t, segment.CodecZstd, cfg.compression.codec, "--compression from the environment")

	t.Setenv("SHARDLOG_CREATE_STREAM_DELAY", "soon")
	err := applyEnv(fs)
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), `SHARDLOG_CREATE_STREAM_DELAY="soon"`), err.Error())
}

// TestRun_Help: -h prints the command's usage and then its flags, each with its default.
func TestRun_Help(t *testing.T) {
	tests := []struct {
		args       []string
		usage      string // how stderr begins
		flag       string // a flag line that follows it ("" for none)
		wantNoFlag bool
	}{
		{[]string{"serve", "-h"}, "Usage: shardlog serve [flags]\n\nEvery flag can also be set as SHARDLOG_<FLAG>", "  -listen string", false},
		{[]string{"put", "-h"}, "Usage: shardlog put --stream NAME", "  -stream string", false},
		{[]string{"tail", "-h"}, "Usage: shardlog tail", "  -stream string", false},
		{[]string{"bench", "-h"}, "Usage: shardlog bench", "  -connections int", false},
		{[]string{"inspect", "dump", "-h"}, "Usage:\n  shardlog inspect dump", "Flags of dump:\n  -data int", false},
		{[]string{"inspect", "check", "-h"}, "Usage:\n  shardlog inspect dump", "", true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tt.args, &out, &errOut); code != 0 {
				t.Fatalf("run(%q) = %d, want 0; stderr:\n%s", tt.args, code, errOut.String())
			}
			help := errOut.String()
			if !strings.HasPrefix(help, tt.usage) {
				t.Errorf("run(%q) help begins %.80q, want %q", tt.args, help, tt.usage)
			}
			if tt.flag != "" && !strings.Contains(help, tt.flag) {
				t.Errorf("run(%q) help lacks %q:\n%s", tt.args, tt.flag, help)
			}
			if tt.wantNoFlag && strings.Contains(help, "\n  -") {
				t.Errorf("run(%q) help lists flags, and the command has none:\n%s", tt.args, help)
			}
		})
	}
}

// TestServe_ScopeFlags: --account-id and --region name the default account and region,
// in ARNs and, for the others, in directory names, so each must be one.
func TestServe_ScopeFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--account-id", "0000-0000-0000"}, `shardlog serve: --account-id "0000-0000-0000": want 12 digits`},
		{[]string{"--account-id", "12345"}, `shardlog serve: --account-id "12345": want 12 digits`},
		{[]string{"--region", "../x"}, `shardlog serve: --region "../x": want a region name such as us-east-1`},
		{[]string{"--region", "US-EAST-1"}, `shardlog serve: --region "US-EAST-1": want a region name such as us-east-1`},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		dir := t.TempDir()
		require.Equal(t, 2, run(append([]string{"serve", "--data", dir}, tt.args...), &out, &errOut), "serve %q", tt.args)
		require.Contains(t, errOut.String(), tt.want, "serve %q", tt.args)
	}
}
