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

// A FileReader is a Watcher that reads files when it is told of a sync (the power-loss
// tests' Recorder, which keeps what the sync makes durable, and what was written since).
// Its Syncing, and the function Syncing returns, run while no write marked with StartWrite
// is half done, so it reads each such write whole or not at all: the kernel locks a page
// while a write copies into it, and writes back each page as a write left it, before or
// after, never in between. Neither may wait for a write.
type FileReader interface {
	Watcher
	ReadsFiles()
}

// writeMu keeps a FileReader's Syncing from running while a write is half done.
var writeMu sync.RWMutex

// StartWrite is called before a write into a file that syncs make durable while other
// writes go on (the segment writer's batches, beside the group commit's fdatasync), and
// EndWrite after it when StartWrite returned true; no FileReader looks at files between the
// two. Without a Watcher it costs one atomic load and returns false.
func StartWrite() bool {
	if watchers.Load() == nil {
		return false
	}
	writeMu.RLock()
	return true
}

// EndWrite ends a write that StartWrite returned true for.
func EndWrite() { writeMu.RUnlock() }

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
		done, fail := syncing(w, fd, dir)
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

// syncing calls w.Syncing; if w reads files, it and the function it returns run while no
// write is half done.
func syncing(w Watcher, fd int, dir string) (func(error), error) {
	if _, ok := w.(FileReader); !ok {
		return w.Syncing(fd, dir)
	}
	writeMu.Lock()
	done, fail := w.Syncing(fd, dir)
	writeMu.Unlock()
	if done == nil {
		return nil, fail
	}
	return func(err error) {
		writeMu.Lock()
		defer writeMu.Unlock()
		done(err)
	}, fail
}
