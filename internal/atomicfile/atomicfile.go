package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/shardlog/shardlog/internal/durable"
)

// TmpSuffix marks a file being written; one left behind by a crash is incomplete, and its
// owner removes it when found.
const TmpSuffix = ".tmp"

// WriteFile replaces path with data: it writes path.tmp, syncs it, renames it over path,
// and syncs the directory so that the rename itself is durable. On error path is unchanged
// and no temporary file is left.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	tmp := path + TmpSuffix
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = durable.SyncFile(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// Remove removes path and syncs its directory, so that the removal survives a crash.
func Remove(path string) error {
	if err := os.Remove(path); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir makes the entries of dir (creates, renames, removals) durable.
func SyncDir(dir string) error { return durable.SyncDir(dir) }

// SkipSyncs makes every sync under root, WriteFile's, Remove's and SyncDir's included, a
// no-op until stop is called: for a directory thrown away with its process (durable.Skip).
func SkipSyncs(root string) (stop func(), err error) { return durable.Skip(root) }
