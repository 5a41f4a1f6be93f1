package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"
)

// TestServeConfig_EphemeralDir: --ephemeral alone keeps the data in a new directory under
// $TMPDIR that the returned function removes; with --data it keeps the data there, and
// leaves it at exit; without --ephemeral --data is used as always.
func TestServeConfig_EphemeralDir(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	given := filepath.Join(t.TempDir(), "given")
	for _, tc := range []struct {
		name      string
		args      []string
		wantDir   string // "" for a new directory under tmp
		wantGone  bool   // removed by the returned function
		ephemeral bool
	}{
		{"ephemeral", []string{"--ephemeral"}, "", true, true},
		{"ephemeral with data", []string{"--ephemeral", "--data", given}, given, false, true},
		{"durable", []string{"--data", given}, given, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cfg serveConfig
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			cfg.flags(fs)
			require.NoError(t, fs.Parse(tc.args))
			cfg.resolveEphemeral(fs)
			remove, err := cfg.ephemeralDir(slog.New(slog.NewTextHandler(io.Discard, nil)))
			require.NoError(t, err)
			require.Equal(t, tc.ephemeral, cfg.ephemeral)
			if tc.wantDir == "" {
				require.Equal(t, tmp, filepath.Dir(cfg.dataDir), "data directory %s", cfg.dataDir)
				require.DirExists(t, cfg.dataDir)
			} else {
				require.Equal(t, tc.wantDir, cfg.dataDir)
				require.NoError(t, os.MkdirAll(cfg.dataDir, 0o755))
			}
			remove()
			if tc.wantGone {
				require.NoDirExists(t, cfg.dataDir)
			} else {
				require.DirExists(t, cfg.dataDir)
			}
		})
	}
}

// TestServe_Ephemeral: a server started with --ephemeral runs a stream's create, put and
// delete without a single sync (the fdatasync histogram of /metrics stays empty), where the
// same server without it syncs; it says so in its log, and leaves a given --data in place.
func TestServe_Ephemeral(t *testing.T) {
	for _, tc := range []struct {
		name      string
		args      []string
		wantSyncs bool
	}{{"durable", nil, true}, {"ephemeral", []string{"--ephemeral"}, false}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			srv := startServer(t, dir, tc.args...)
			kc := mustCreate(t, srv.Endpoint, "cycled", 1)
			ctx := context.Background()
			_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("cycled"),
				PartitionKey: aws.String("k"), Data: []byte("record")})
			require.NoError(t, err)
			_, err = kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("cycled")})
			require.NoError(t, err)

			got := scrapeMetrics(t, srv.Endpoint)
			syncs := got[`shardlog_fdatasync_seconds_count{kind="file"}`] + got[`shardlog_fdatasync_seconds_count{kind="dir"}`]
			if tc.wantSyncs {
				require.Positive(t, syncs, "syncs of a durable server")
			} else {
				require.Zero(t, syncs, "syncs of an --ephemeral server")
				require.True(t, strings.Contains(srv.Log(), "ephemeral: nothing under the data directory is synced"), "log:\n%s", srv.Log())
			}
			srv.Stop(t)
			require.DirExists(t, dir)
		})
	}
}
