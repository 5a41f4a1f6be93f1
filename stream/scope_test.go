package stream_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/stream"
)

// scopedFixture makes a data directory with a stream "a" of 1 shard and 5 records at its
// root (the default account and region) and one of the same name in
// accounts/111122223333/eu-west-1, and returns the root and the scope directory.
func scopedFixture(t *testing.T) (dir, scopeDir string) {
	t.Helper()
	dir = t.TempDir()
	scopeDir = stream.ScopeDirOf(dir, "111122223333", "eu-west-1")
	for _, d := range []struct{ dir, account, region string }{{dir, "", ""}, {scopeDir, "111122223333", "eu-west-1"}} {
		opts := testOptions(newClock())
		opts.Account, opts.Region = d.account, d.region
		s, err := stream.Open(d.dir, opts)
		require.NoError(t, err)
		mustCreate(t, s, "a", 1)
		for i := range 5 {
			put(t, s, "a", "k", string(rune('0'+i)))
		}
		require.NoError(t, s.Close())
	}
	return dir, scopeDir
}

// TestOpen_ScopeDirectoryIsNotForeign: the root store of a data directory with scope
// directories takes accounts/ for its own, warning of nothing, and Check walks the scope
// too, finding it clean.
func TestOpen_ScopeDirectoryIsNotForeign(t *testing.T) {
	dir, scopeDir := scopedFixture(t)
	var logs bytes.Buffer
	opts := testOptions(newClock())
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	s := mustOpenDir(t, dir, opts)
	require.NoError(t, s.Close())
	require.NotContains(t, logs.String(), "left alone", "the root store's log")

	rep, err := stream.Check(dir, stream.CheckOptions{})
	require.NoError(t, err)
	require.Empty(t, rep.Problems)
	require.Equal(t, []stream.ScopeDir{{Account: "111122223333", Region: "eu-west-1", Dir: scopeDir}}, rep.Scopes)
	require.Equal(t, 2, rep.Streams, "the root's stream and the scope's")
	require.Equal(t, uint64(10), rep.Records)

	scopes, err := stream.ScopeDirs(dir)
	require.NoError(t, err)
	require.Equal(t, rep.Scopes, scopes)
}

// TestCheck_Scopes damages a scope directory, or puts something foreign beside it, and
// checks that Check reports exactly that, naming the file.
func TestCheck_Scopes(t *testing.T) {
	seg := func(scopeDir string) string {
		dirs, _ := filepath.Glob(filepath.Join(scopeDir, "streams", "a-*", "shardId-000000000000", "00000000000000000000.seg"))
		require.Len(t, dirs, 1)
		return dirs[0]
	}
	tests := []struct {
		name       string
		damage     func(t *testing.T, dir, scopeDir string) (path string)
		wantDamage bool
	}{
		{"flipped byte in a scope's segment", func(t *testing.T, _, scopeDir string) string {
			testutil.FlipByte(t, seg(scopeDir), segment.HeaderSize+20)
			return seg(scopeDir)
		}, true},
		{"lost catalog file of a scope", func(t *testing.T, _, scopeDir string) string {
			require.NoError(t, os.Remove(filepath.Join(scopeDir, "catalog", "a.json")))
			dirs, _ := filepath.Glob(filepath.Join(scopeDir, "streams", "a-*"))
			return dirs[0]
		}, true},
		{"file in accounts/", func(t *testing.T, dir, _ string) string {
			p := filepath.Join(dir, "accounts", "README")
			require.NoError(t, os.WriteFile(p, nil, 0o644))
			return p
		}, false},
		{"directory that is not an account", func(t *testing.T, dir, _ string) string {
			p := filepath.Join(dir, "accounts", "test")
			require.NoError(t, os.Mkdir(p, 0o755))
			return p
		}, false},
		{"directory that is not a region", func(t *testing.T, dir, _ string) string {
			p := filepath.Join(dir, "accounts", "111122223333", "EU_WEST")
			require.NoError(t, os.Mkdir(p, 0o755))
			return p
		}, false},
		{"scope without a catalog", func(t *testing.T, dir, _ string) string {
			p := stream.ScopeDirOf(dir, "444455556666", "us-west-2")
			require.NoError(t, os.MkdirAll(p, 0o755))
			return p
		}, false},
		{"stream of another scope", func(t *testing.T, dir, scopeDir string) string {
			other := stream.ScopeDirOf(dir, "444455556666", "us-west-2")
			require.NoError(t, os.MkdirAll(filepath.Dir(other), 0o755))
			require.NoError(t, os.Rename(scopeDir, other))
			return filepath.Join(other, "catalog", "a.json")
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, scopeDir := scopedFixture(t)
			path := tt.damage(t, dir, scopeDir)
			rep, err := stream.Check(dir, stream.CheckOptions{})
			require.NoError(t, err)
			require.Len(t, rep.Problems, 1, "problems: %v", rep.Problems)
			p := rep.Problems[0]
			require.Equal(t, tt.wantDamage, p.Damage, "Damage of %v", p)
			require.Equal(t, path, p.Path, "Path of %v", p)
		})
	}
}

// TestOpen_ScopeStoreNamesItsScope: a store opened in a scope directory names its account
// and region in ARNs and messages, whatever the root's.
func TestOpen_ScopeStoreNamesItsScope(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(newClock())
	opts.Account, opts.Region = "111122223333", "eu-west-1"
	s := mustOpenDir(t, stream.ScopeDirOf(dir, opts.Account, opts.Region), opts)
	mustCreate(t, s, "a", 1)
	require.Equal(t, "arn:aws:kinesis:eu-west-1:111122223333:stream/a", s.StreamARN("a"))
	_, err := s.DescribeStreamSummary("b")
	requireKinesisError(t, err, "ResourceNotFoundException", "Stream b under account 111122223333 not found.")
}
