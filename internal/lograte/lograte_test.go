package lograte_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/lograte"
	"github.com/shardlog/shardlog/internal/testutil"
)

// lines returns the messages written to buf, one per line, and empties it.
func lines(buf *bytes.Buffer) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	buf.Reset()
	return out
}

func newLimiter(clk *testutil.Clock) (*lograte.Limiter, *bytes.Buffer) {
	var buf bytes.Buffer
	h := slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	return lograte.New(slog.New(h), 10*time.Second, clk.Now), &buf
}

func TestLimiter_OncePerInterval(t *testing.T) {
	clk := testutil.NewClock(1_700_000_000_000)
	l, buf := newLimiter(clk)

	l.Error("append failed", "shard", "s1")
	require.Equal(t, []string{`level=ERROR msg="append failed" shard=s1`}, lines(buf), "the first occurrence is written at once")

	for range 1000 {
		l.Error("append failed", "shard", "s1")
		clk.Advance(5 * time.Millisecond) // 1000 repeats over 5s
	}
	require.Empty(t, lines(buf), "repeats within the interval are only counted")

	clk.Advance(5 * time.Second) // 10s after the first
	l.Error("append failed", "shard", "s2")
	require.Equal(t, []string{
		`level=ERROR msg="append failed: 1000 more like this in the last 10s"`,
		`level=ERROR msg="append failed" shard=s2`,
	}, lines(buf), "after the interval: the count, then the occurrence")

	clk.Advance(20 * time.Second)
	l.Error("append failed", "shard", "s3")
	require.Equal(t, []string{`level=ERROR msg="append failed" shard=s3`}, lines(buf), "no count line when nothing was left out")
}

func TestLimiter_MessagesCountedApart(t *testing.T) {
	clk := testutil.NewClock(1_700_000_000_000)
	l, buf := newLimiter(clk)
	l.Error("a")
	l.Warn("b")
	l.Error("a")
	l.Warn("b")
	l.Warn("b")
	require.Equal(t, []string{`level=ERROR msg=a`, `level=WARN msg=b`}, lines(buf))
	clk.Advance(10 * time.Second)
	l.Warn("b")
	l.Error("a")
	require.Equal(t, []string{
		`level=WARN msg="b: 2 more like this in the last 10s"`,
		`level=WARN msg=b`,
		`level=ERROR msg="a: 1 more like this in the last 10s"`,
		`level=ERROR msg=a`,
	}, lines(buf))
}
