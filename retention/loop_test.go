package retention_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/retention"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// clock is the fake clock of shard.Options.Now.
type clock = testutil.Clock

// mustOpen opens a shard with small segments on clk, closed when the test ends.
func mustOpen(t *testing.T, dir string, clk *clock) *shard.Shard {
	t.Helper()
	s, err := shard.Open(dir, shard.Options{Now: clk.Now, MaxSegmentBytes: 1 << 10, Retention: retention.DefaultPeriod})
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, shard.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// fill appends n batches of 10 records of 100 B to s.
func fill(t *testing.T, s *shard.Shard, n int) {
	t.Helper()
	for i := range n {
		recs := make([]segment.Record, 10)
		for j := range recs {
			recs[j] = segment.Record{PartitionKey: []byte(fmt.Sprint(i, j)), Data: make([]byte, 100)}
		}
		_, _, err := s.Append(recs)
		require.NoError(t, err)
	}
}

// segmentFiles returns the number of segment files in dir.
func segmentFiles(t *testing.T, dir string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	require.NoError(t, err)
	return len(files)
}

func TestLoop_RunOnce(t *testing.T) {
	clk := testutil.NewClock(1_000_000_000)
	loop := retention.NewLoop(time.Hour, nil)
	var shards []*shard.Shard
	var dirs []string
	for i := range 3 {
		dir := filepath.Join(t.TempDir(), fmt.Sprint("shard-", i))
		s := mustOpen(t, dir, clk)
		fill(t, s, 5)
		loop.Add(s)
		loop.Add(s)
		shards, dirs = append(shards, s), append(dirs, dir)
	}
	require.Equal(t, 3, loop.Len(), "Len after adding each shard twice")

	deleted, err := loop.RunOnce()
	require.NoError(t, err)
	require.Zero(t, deleted, "segments deleted before anything expired")

	clk.Advance(retention.DefaultPeriod + time.Millisecond)
	deleted, err = loop.RunOnce()
	require.NoError(t, err)
	require.Equal(t, 3*5, deleted, "segments deleted once everything expired (5 full + the rolled active, per shard, minus the new active)")
	for i, s := range shards {
		require.Equal(t, s.NextOffset(), s.FirstOffset(), "shard %d trim horizon", i)
		require.True(t, s.Empty(), "shard %d Empty", i)
		require.Equal(t, 1, segmentFiles(t, dirs[i]), "shard %d segment files", i)
	}

	require.NoError(t, shards[0].Close())
	loop.Remove(shards[1])
	_, err = loop.RunOnce()
	require.NoError(t, err, "RunOnce with a closed shard")
	require.Equal(t, 1, loop.Len(), "Len after a shard closed and one was removed")
}

func TestLoop_StartStop(t *testing.T) {
	clk := testutil.NewClock(1_000_000_000)
	dir := t.TempDir()
	s := mustOpen(t, dir, clk)
	fill(t, s, 5)
	loop := retention.NewLoop(5*time.Millisecond, nil)
	loop.Add(s)
	loop.Start()
	loop.Start()
	clk.Advance(retention.DefaultPeriod + time.Hour)
	require.Eventually(t, func() bool { return segmentFiles(t, dir) == 1 }, 5*time.Second, 5*time.Millisecond,
		"the running loop deletes expired segments")
	loop.Stop()
	loop.Stop()

	fill(t, s, 3)
	clk.Advance(retention.DefaultPeriod + time.Hour)
	time.Sleep(20 * time.Millisecond)
	require.Greater(t, segmentFiles(t, dir), 1, "a stopped loop deletes nothing")
	loop.Start()
	defer loop.Stop()
	require.Eventually(t, func() bool { return segmentFiles(t, dir) == 1 }, 5*time.Second, 5*time.Millisecond,
		"a restarted loop deletes again")
}

func TestLoop_RunOnce_Error(t *testing.T) {
	clk := testutil.NewClock(1_000_000_000)
	dir := t.TempDir()
	s := mustOpen(t, dir, clk)
	fill(t, s, 5)
	loop := retention.NewLoop(0, nil)
	loop.Add(s)
	clk.Advance(retention.DefaultPeriod + time.Hour)

	// A non-empty directory where the manifest goes: deleting needs a new manifest first.
	manifest := filepath.Join(dir, "manifest")
	require.NoError(t, os.Remove(manifest))
	require.NoError(t, os.MkdirAll(filepath.Join(manifest, "x"), 0o755))
	deleted, err := loop.RunOnce()
	require.Error(t, err)
	require.Zero(t, deleted)
	require.Equal(t, 1, loop.Len(), "a failing shard stays registered")
	require.Greater(t, segmentFiles(t, dir), 1, "segments kept when the manifest cannot be written")

	require.NoError(t, os.RemoveAll(manifest))
	deleted, err = loop.RunOnce()
	require.NoError(t, err)
	require.Positive(t, deleted, "segments deleted once the manifest can be written")
}
