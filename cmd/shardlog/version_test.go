package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBuildInfoFrom(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "-trimpath", Value: "true"},
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-12-05T06:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	cases := []struct {
		name     string
		bi       *debug.BuildInfo
		override string
		want     buildInfo
		line     string
	}{
		{"no build information", nil, "", buildInfo{Version: "(devel)"}, "shardlog (devel)"},
		{"checkout with changes", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs}, "",
			buildInfo{Version: "(devel)", Revision: "0123456789abcdef0123456789abcdef01234567", Time: "2026-12-05T06:00:00Z", Modified: true, GoVersion: "go1.26.8"},
			"shardlog (devel) revision 0123456789abcdef0123456789abcdef01234567 2026-12-05T06:00:00Z (modified) go1.26.8"},
		{"go install module@version", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}}, "",
			buildInfo{Version: "v1.4.0", GoVersion: "go1.26.8"}, "shardlog v1.4.0 go1.26.8"},
		{"-X main.version", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "v2.0.0-rc1",
			buildInfo{Version: "v2.0.0-rc1", GoVersion: "go1.26.8"}, "shardlog v2.0.0-rc1 go1.26.8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := buildInfoFrom(tc.bi, tc.override)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.line, got.String())
		})
	}
}

// TestVersion_FromVCS builds the binary with VCS stamping and checks that `shardlog
// version` names this tree's commit, whether it has changes, and the Go version.
func TestVersion_FromVCS(t *testing.T) {
	skipShort(t)
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	requireE2E(t, "git and a checkout of the repository", err == nil)
	if fi, err := os.Stat(filepath.Join(strings.TrimSpace(string(top)), ".git")); err != nil || !fi.IsDir() {
		// cmd/go looks for a .git directory; a worktree's .git is a file.
		t.Skip("a git worktree: go build stamps no VCS information here")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	require.NoError(t, err)
	status, err := exec.Command("git", "status", "--porcelain").Output()
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "shardlog")
	out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	out, err = exec.Command(bin, "version").Output()
	require.NoError(t, err)
	line := strings.TrimSpace(string(out))
	require.Contains(t, line, "revision "+strings.TrimSpace(string(head)))
	require.Equal(t, len(status) > 0, strings.Contains(line, "(modified)"), "version %q with git status %q", line, status)
	require.True(t, strings.HasSuffix(line, " "+runtime.Version()), "version %q, want it to end in %s", line, runtime.Version())
}
