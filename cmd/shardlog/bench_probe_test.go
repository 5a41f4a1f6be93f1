package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBenchProbe_ExitCodes: bench-probe needs a mode, and write needs a stream; -h is not
// an error.
func TestBenchProbe_ExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		want   int
		stderr string
	}{
		{"no mode", []string{"bench-probe"}, 2, "Usage: shardlog bench-probe ready|reads|write"},
		{"unknown mode", []string{"bench-probe", "fill"}, 2, "Usage: shardlog bench-probe"},
		{"ready -h", []string{"bench-probe", "ready", "-h"}, 0, "-since-ns int"},
		{"bad flag", []string{"bench-probe", "reads", "--no-such-flag"}, 2, "no-such-flag"},
		{"stray argument", []string{"bench-probe", "reads", "extra"}, 2, `unexpected argument "extra"`},
		{"write without a stream", []string{"bench-probe", "write"}, 2, "write needs --stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			got := run(tt.args, &out, &errOut)
			require.Equal(t, tt.want, got, "run(%q) exit code; stderr:\n%s", tt.args, errOut.String())
			require.Contains(t, errOut.String(), tt.stderr)
		})
	}
}
