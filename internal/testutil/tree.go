package testutil

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TreeState returns the mode, size and modification time of every file and directory under
// dir, and the SHA-256 of every regular file's content, by path relative to dir: two calls
// compare equal only if nothing under dir was created, removed, written or touched between
// them. Tests use it to show that a reader or a refused writer changed nothing.
func TreeState(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		out[rel] = fmt.Sprintf("%v %d %s", fi.Mode(), fi.Size(), fi.ModTime())
		if e.Type().IsRegular() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out[rel] += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("TreeState(%s): %v", dir, err)
	}
	return out
}
