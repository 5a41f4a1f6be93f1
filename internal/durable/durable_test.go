package durable_test

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/durable"
)

// recorder is a Watcher that records the syncs it is told of.
type recorder struct {
	fail   error // what every sync fails with, if not nil
	mu     sync.Mutex
	before []string // "file" or the directory's path, as each sync starts
	after  []error
}

func (r *recorder) Syncing(fd int, path string) (func(error), error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if path == "" {
		path = "file"
	}
	r.before = append(r.before, path)
	return func(err error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.after = append(r.after, err)
	}, r.fail
}

func TestWatch_SeesEverySync(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "f"))
	require.NoError(t, err)
	defer f.Close()

	var r recorder
	stop := durable.Watch(&r)
	require.NoError(t, durable.Fdatasync(f))
	require.NoError(t, durable.SyncFile(f))
	require.NoError(t, durable.SyncDir(dir))
	stop()
	require.NoError(t, durable.SyncDir(dir)) // not watched any more

	require.Equal(t, []string{"file", "file", dir}, r.before)
	require.Equal(t, []error{nil, nil, nil}, r.after)
}

func TestWatch_ReportsFailure(t *testing.T) {
	var r recorder
	stop := durable.Watch(&r)
	defer stop()
	f, err := os.Create(filepath.Join(t.TempDir(), "closed"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Error(t, durable.Fdatasync(f), "Fdatasync of a closed file")
	require.Len(t, r.after, 1)
	require.Error(t, r.after[0], "the watcher is told that the sync failed")
}

func TestSyncDir_Missing(t *testing.T) {
	require.ErrorIs(t, durable.SyncDir(filepath.Join(t.TempDir(), "none")), os.ErrNotExist)
}

func TestWatch_FailsSyncs(t *testing.T) {
	dir := t.TempDir()
	errDisk := errors.New("disk failed")
	r := recorder{fail: errDisk}
	stop := durable.Watch(&r)
	defer stop()
	require.ErrorIs(t, durable.SyncDir(dir), errDisk)
	require.Equal(t, []error{errDisk}, r.after, "the watcher is told the sync failed")
}
