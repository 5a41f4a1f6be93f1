package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestImage builds the container image of the Containerfile at the root of the tree with
// podman, from the static binary of this tree built as the Containerfile says, and checks
// that the image holds that binary, byte for byte, with the health check, the volume and
// the listen address it promises. When podman can run containers here it also runs
// `version` in one and compares the line with the binary's.
func TestImage(t *testing.T) {
	skipShort(t)
	t.Parallel()
	_, err := exec.LookPath("podman")
	requireE2E(t, "podman (apt-get install podman)", err == nil)

	ctxDir := t.TempDir()
	bin := filepath.Join(ctxDir, "shardlog")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	want, err := os.ReadFile(bin)
	require.NoError(t, err)

	tag := fmt.Sprintf("localhost/shardlog-test:%d", time.Now().UnixNano())
	out, err = exec.Command("podman", "build", "--format", "docker", "-f", filepath.Join("..", "..", "Containerfile"), "-t", tag, ctxDir).CombinedOutput()
	require.NoError(t, err, "podman build: %s", out)
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", tag).Run() })

	var inspect []struct {
		Config struct {
			Env          []string
			Entrypoint   []string
			Cmd          []string
			Volumes      map[string]struct{}
			ExposedPorts map[string]struct{}
		}
		HealthCheck struct{ Test []string }
	}
	out, err = exec.Command("podman", "image", "inspect", tag).Output()
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(out, &inspect))
	require.Len(t, inspect, 1)
	img := inspect[0]
	require.Equal(t, []string{"/shardlog"}, img.Config.Entrypoint)
	require.Equal(t, []string{"serve"}, img.Config.Cmd)
	require.Contains(t, img.Config.Env, "SHARDLOG_LISTEN=0.0.0.0:4567")
	require.Contains(t, img.Config.Env, "SHARDLOG_DATA=/data")
	require.Contains(t, img.Config.Volumes, "/data")
	require.Contains(t, img.Config.ExposedPorts, "4567/tcp")
	require.Equal(t, []string{"CMD", "/shardlog", "ping", "--quiet", "--timeout", "2s"}, img.HealthCheck.Test)
	compose, err := os.ReadFile(filepath.Join("..", "..", "compose.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(compose), `test: ["CMD", "/shardlog", "ping", "--quiet", "--timeout", "2s"]`,
		"compose.yaml's health check is the image's")

	// The binary in the image, copied out of a container that is created, never started.
	ctr, err := exec.Command("podman", "create", tag).Output()
	require.NoError(t, err)
	id := strings.TrimSpace(string(ctr))
	t.Cleanup(func() { exec.Command("podman", "rm", "-f", id).Run() })
	got := filepath.Join(t.TempDir(), "from-image")
	out, err = exec.Command("podman", "cp", id+":/shardlog", got).CombinedOutput()
	require.NoError(t, err, "podman cp: %s", out)
	inImage, err := os.ReadFile(got)
	require.NoError(t, err)
	require.Equal(t, sha256.Sum256(want), sha256.Sum256(inImage), "the image's /shardlog is not the binary built from this tree")

	wantLine, err := exec.Command(bin, "version").Output()
	require.NoError(t, err)
	var stderr bytes.Buffer
	run := exec.Command("podman", "run", "--rm", "--no-healthcheck", tag, "version")
	run.Stderr = &stderr
	gotLine, err := run.Output()
	if err != nil {
		t.Logf("podman cannot run containers here (%v: %s); the image's binary was compared byte for byte instead",
			err, strings.TrimSpace(stderr.String()))
		return
	}
	require.Equal(t, string(wantLine), string(gotLine), "`version` in the container")
}
