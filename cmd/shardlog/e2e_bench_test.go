package main

import (
	"bufio"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"
)

// TestBench_InterruptDeletesStreams: Ctrl-C (SIGINT) in the middle of the write phase ends
// `shardlog bench` with its streams deleted; with --keep they stay.
func TestBench_InterruptDeletesStreams(t *testing.T) {
	t.Parallel()
	for _, keep := range []bool{false, true} {
		srv := startServer(t, t.TempDir())
		args := []string{"bench", "--endpoint", srv.Endpoint, "--duration", "1m", "--shards", "1", "--connections", "1"}
		if keep {
			args = append(args, "--keep")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, binPath, args...)
		stderr, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(stderr)
		var seen strings.Builder
		for sc.Scan() { // the first progress line: the write phase is under way
			seen.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "write") {
				break
			}
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
		for sc.Scan() {
			seen.WriteString(sc.Text() + "\n")
		}
		cmd.Wait()
		require.NoError(t, ctx.Err(), "bench did not end within 60 s of SIGINT:\n%s", seen.String())
		cancel()
		require.Equal(t, 1, cmd.ProcessState.ExitCode(), "exit code after SIGINT:\n%s", seen.String())

		out, err := newClient(srv.Endpoint).ListStreams(context.Background(), &kinesis.ListStreamsInput{})
		require.NoError(t, err)
		if keep {
			require.Len(t, out.StreamNames, 1, "--keep: streams after SIGINT\n%s", seen.String())
		} else {
			require.Empty(t, out.StreamNames, "streams after SIGINT\n%s", seen.String())
			require.Contains(t, seen.String(), "interrupted: deleting the streams")
		}
	}
}
