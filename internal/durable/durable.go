package durable

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/shardlog/shardlog/internal/platform"
)

// A Watcher is told of every sync before it runs, and of its result after.
type Watcher interface {
	// Syncing is called before the sync of the file or directory open as fd; path is the
	// directory's path, or "" for a file. The returned function, if not nil, is called with
	// the sync's result once it returns. A non-nil fail stops the sync from running: the
	// call returns fail instead, as if the disk had failed it.
	Syncing(fd int, path string) (done func(error), fail error)
}

var (
	watchMu  sync.Mutex
	watchers atomic.Pointer[[]Watcher]
)

// Watch makes w see every sync until stop is called. Calling stop again does nothing.
func Watch(w Watcher) (stop func()) {
	watchMu.Lock()
	defer watchMu.Unlock()
	var list []Watcher
	if p := watchers.Load(); p != nil {
		list = slices.Clone(*p)
	}
	list = append(list, w)
	watchers.Store(&list)
	return sync.OnceFunc(func() {
		watchMu.Lock()
		defer watchMu.Unlock()
		list := slices.DeleteFunc(slices.Clone(*watchers.Load()), func(x Watcher) bool { return x == w })
		if len(list) == 0 {
			watchers.Store(nil)
			return
		}
		watchers.Store(&list)
	})
}

// Fdatasync makes f's data durable, with its size (fdatasync(2) on Linux, F_FULLFSYNC on
// macOS; see internal/platform), unless f is under a root given to Skip.
func Fdatasync(f *os.File) error {
	if skippedFile(f) {
		return nil
	}
	return watched(int(f.Fd()), "", func() error { return platform.Fdatasync(f) })
}

// SyncFile makes f's data and metadata durable (fsync(2); F_FULLFSYNC on macOS), unless f
// is under a root given to Skip.
func SyncFile(f *os.File) error {
	if skippedFile(f) {
		return nil
	}
	return watched(int(f.Fd()), "", f.Sync)
}

// SyncDir makes the entries of dir (creates, renames, removals) durable, unless dir is under
// a root given to Skip.
func SyncDir(dir string) error {
	if skipped(dir) {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = watched(int(d.Fd()), dir, d.Sync)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// watched runs sync, telling the watchers before and after.
func watched(fd int, dir string, sync func() error) error {
	p := watchers.Load()
	if p == nil {
		return sync()
	}
	var dones []func(error)
	var err error
	for _, w := range *p {
		done, fail := w.Syncing(fd, dir)
		if done != nil {
			dones = append(dones, done)
		}
		if err == nil {
			err = fail
		}
	}
	if err == nil {
		err = sync()
	}
	for _, done := range dones {
		done(err)
	}
	return err
}
