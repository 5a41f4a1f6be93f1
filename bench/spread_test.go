package bench_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/bench"
)

// TestRun_WritersSpreadOverStreams runs more streams than connections: with Writers equal to
// the stream count every stream is written and verified, while one writer per connection
// leaves the streams beyond the connection count empty.
func TestRun_WritersSpreadOverStreams(t *testing.T) {
	tests := []struct {
		name        string
		writers     int
		wantWritten int // streams with records
	}{
		{"one-writer-per-connection", 0, 2},
		{"one-writer-per-stream", 6, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, url := startFake(t)
			cfg := quick(url)
			cfg.Streams, cfg.Shards, cfg.Connections, cfg.Writers = 6, 2, 2, tt.writers
			cfg.KeepStreams = true
			res := mustRun(t, cfg)
			require.Equal(t, int64(3000), res.Write.Records)
			require.True(t, res.Verify.OK, "verification: %+v", res.Verify)
			require.Equal(t, int64(3000), res.Verify.Read)

			f.mu.Lock()
			defer f.mu.Unlock()
			written := 0
			for _, name := range res.Streams {
				n := 0
				for _, log := range f.streams[name].logs {
					n += len(log)
				}
				if n > 0 {
					written++
				}
			}
			require.Equal(t, tt.wantWritten, written, "streams written of %d", len(res.Streams))
		})
	}
}

// TestRun_Paced runs a paced write phase to its record count, verified.
func TestRun_Paced(t *testing.T) {
	_, url := startFake(t)
	cfg := quick(url)
	cfg.Records, cfg.Rate = 1000, 20000 // 10 calls of 100, one every 5 ms
	res := mustRun(t, cfg)
	require.Equal(t, int64(1000), res.Write.Records)
	require.Equal(t, int64(10), res.Write.Calls)
	require.True(t, res.Verify.OK, "verification: %+v", res.Verify)
}

func TestRun_BadSpread(t *testing.T) {
	for name, edit := range map[string]func(*bench.Config){
		"fewer writers than connections": func(c *bench.Config) { c.Writers = 2 },
		"too many writers":               func(c *bench.Config) { c.Writers = 5000 },
		"negative rate":                  func(c *bench.Config) { c.Rate = -1 },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := quick("http://127.0.0.1:1")
			edit(&cfg)
			_, err := bench.Run(t.Context(), cfg)
			require.ErrorIs(t, err, bench.ErrConfig)
		})
	}
}
