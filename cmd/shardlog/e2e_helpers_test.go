package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

// binPath is the shardlog binary built once by TestMain for the end-to-end tests.
var binPath string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "shardlog-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binPath = filepath.Join(dir, "shardlog")
	build := exec.Command("go", "build", "-o", binPath, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build shardlog:", err)
		return 1
	}
	return m.Run()
}

// requireE2E skips the test when a tool it needs is missing, unless SHARDLOG_REQUIRE_E2E=1
// (set by .ci/run), where a missing tool is a failure.
func requireE2E(t *testing.T, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("SHARDLOG_REQUIRE_E2E") == "1" {
		t.Fatalf("%s is required (SHARDLOG_REQUIRE_E2E=1) but missing", what)
	}
	t.Skipf("%s is missing; install it or set SHARDLOG_REQUIRE_E2E=1 to make this a failure", what)
}

// skipShort skips a long end-to-end test (seconds of AWS CLI or Node start-ups, a loop
// mount) under -short, so that go test -short ./... is the quick run; the full run, which
// CI makes with SHARDLOG_REQUIRE_E2E=1, keeps it.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("long end-to-end test: it runs without -short")
	}
}

// serverProc is a `shardlog serve` child process on a loopback port.
type serverProc struct {
	cmd      *exec.Cmd
	Endpoint string // http://127.0.0.1:port
	DataDir  string
	exited   chan struct{}
	mu       sync.Mutex
	log      strings.Builder
}

var listenRE = regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)

// startServer starts `shardlog serve` on 127.0.0.1 with an OS-chosen port over dataDir, and
// waits until it logs its address. The process is killed at cleanup if still running.
func startServer(t *testing.T, dataDir string, args ...string) *serverProc {
	t.Helper()
	all := append([]string{"serve", "--listen", "127.0.0.1:0", "--data", dataDir,
		"--create-stream-delay", "0", "--delete-stream-delay", "0", "--update-stream-delay", "0"}, args...)
	cmd := exec.Command(binPath, all...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	cmd.Stdout = io.Discard
	require.NoError(t, cmd.Start())
	p := &serverProc{cmd: cmd, DataDir: dataDir, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.log.WriteString(line + "\n")
			p.mu.Unlock()
			if m := listenRE.FindStringSubmatch(line); m != nil && strings.Contains(line, "listening") {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.Kill() })
	select {
	case a := <-addr:
		p.Endpoint = "http://" + a
	case <-p.exited:
		t.Fatalf("shardlog serve exited before listening:\n%s", p.Log())
	case <-time.After(20 * time.Second):
		t.Fatalf("shardlog serve did not report its address within 20 s:\n%s", p.Log())
	}
	return p
}

// Log returns what the server has written to stderr so far.
func (p *serverProc) Log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// Kill ends the server with SIGKILL and waits for it.
func (p *serverProc) Kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Stop asks the server to shut down cleanly (SIGTERM) and waits up to 20 s.
func (p *serverProc) Stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.Kill()
		t.Fatalf("server did not stop within 20 s of SIGTERM:\n%s", p.Log())
	}
	require.Equal(t, 0, p.cmd.ProcessState.ExitCode(), "exit code after SIGTERM; log:\n%s", p.Log())
}

// newClient returns a Kinesis client of the AWS SDK for Go v2 pointed at endpoint.
func newClient(endpoint string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSHARDLOGTEST", "secret", ""),
		HTTPClient:   testutil.SDKHTTPClient(nil),
	})
}

// waitActive polls DescribeStreamSummary until the stream is ACTIVE.
func waitActive(t *testing.T, c *kinesis.Client, name string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		out, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err == nil && out.StreamDescriptionSummary.StreamStatus == "ACTIVE" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("stream %s did not become ACTIVE within 20 s", name)
}
