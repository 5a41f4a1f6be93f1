package durable

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Skipping syncs serves ephemeral stores (stream.Options.Ephemeral): a data directory that is
// thrown away with its process, where a sync buys nothing and costs a journal commit each.
// Like a Watcher it is process-wide, for the same reason: the syncs sit in leaf helpers
// reached from four packages. It is keyed by directory, so that a durable store opened in
// the same process elsewhere keeps every sync.

var (
	skipMu sync.Mutex
	skips  atomic.Pointer[[]string] // absolute, cleaned roots; nil when there are none
)

// Skip makes every sync of a file or directory under root (root included) return nil at
// once, without a system call, until stop is called. Calling stop again does nothing. A
// file counts as under root by the name it was opened with (os.File.Name), made absolute
// against the working directory at the time of the sync.
func Skip(root string) (stop func(), err error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("durable: skip syncs under %s: %w", root, err)
	}
	skipMu.Lock()
	defer skipMu.Unlock()
	var list []string
	if p := skips.Load(); p != nil {
		list = slices.Clone(*p)
	}
	list = append(list, abs)
	skips.Store(&list)
	return sync.OnceFunc(func() {
		skipMu.Lock()
		defer skipMu.Unlock()
		list := slices.Clone(*skips.Load())
		list = slices.Delete(list, slices.Index(list, abs), slices.Index(list, abs)+1)
		if len(list) == 0 {
			skips.Store(nil)
			return
		}
		skips.Store(&list)
	}), nil
}

// skipped reports whether the sync of path is to be skipped (Skip).
func skipped(path string) bool {
	p := skips.Load()
	if p == nil {
		return false
	}
	path, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	for _, root := range *p {
		if path == root || strings.HasPrefix(path, root+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// skippedFile is skipped for an open file, by its name.
func skippedFile(f *os.File) bool { return skips.Load() != nil && skipped(f.Name()) }
