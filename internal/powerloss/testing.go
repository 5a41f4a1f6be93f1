//go:build linux

package powerloss

import (
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/shardlog/shardlog/internal/testutil"
)

// memDir is where TempDir makes its directories: a memory file system, on which the real
// syncs cost nothing (the model, not the disk, decides what survives).
const memDir = "/dev/shm"

// TempDir returns a new directory, removed when the test ends: on a memory file system if
// there is one, else t.TempDir().
func TempDir(t testing.TB) string {
	t.Helper()
	var st unix.Statfs_t
	if unix.Statfs(memDir, &st) != nil || st.Type != unix.TMPFS_MAGIC {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp(memDir, "shardlog-powerloss-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// RunSeeds runs run as subtests "seed=N" for seeds counting up from testutil.Seed(t): up
// to most of them (a quarter under -short), and no new one once budget has passed (a
// third of it under -short), after the first two. It logs how many ran. Replay one with
// -seed=N -run 'Test.../seed=N$'.
func RunSeeds(t *testing.T, most int, budget time.Duration, run func(t *testing.T, seed uint64)) {
	t.Helper()
	if testing.Short() {
		most, budget = max(most/4, 1), budget/3
	}
	base := testutil.Seed(t)
	start := time.Now()
	n := 0
	for ; n < most && (n < 2 || time.Since(start) < budget); n++ {
		seed := base + uint64(n)
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) { run(t, seed) })
	}
	t.Logf("%d seeds in %v", n, time.Since(start).Round(time.Millisecond))
}

// RecordLast starts a Recorder under root that keeps the durable state after every completed
// sync, closed when the test ends, and returns it with a function that gives the state as of
// the last sync so far: the image a power loss at that moment would leave.
func RecordLast(t testing.TB, root string) (*Recorder, func() *Image) {
	t.Helper()
	var last *Image
	var rec *Recorder
	rec, err := NewRecorder(root, func(int) { last = rec.ImageLocked(false) })
	if err != nil {
		t.Fatalf("powerloss: record %s: %v", root, err)
	}
	t.Cleanup(func() { rec.Close() })
	return rec, func() *Image {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return last
	}
}
