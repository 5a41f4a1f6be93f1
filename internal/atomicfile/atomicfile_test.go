package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/atomicfile"
)

func TestWriteFile_Replaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, atomicfile.WriteFile(path, []byte("one"), 0o644))
	require.NoError(t, atomicfile.WriteFile(path, []byte("two"), 0o644))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "two", string(b))
	_, err = os.Stat(path + atomicfile.TmpSuffix)
	require.ErrorIs(t, err, os.ErrNotExist, "no temporary file is left")
}

func TestWriteFile_StaleTmpFromACrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path+atomicfile.TmpSuffix, []byte("half a file"), 0o644))
	require.NoError(t, atomicfile.WriteFile(path, []byte("whole"), 0o600))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "whole", string(b))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

func TestWriteFile_FailureLeavesTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	require.NoError(t, atomicfile.WriteFile(path, []byte("old"), 0o644))
	// A directory where the temporary file would go makes the write fail.
	require.NoError(t, os.Mkdir(path+atomicfile.TmpSuffix, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(path+atomicfile.TmpSuffix, "x"), nil, 0o644))
	require.Error(t, atomicfile.WriteFile(path, []byte("new"), 0o644))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "old", string(b))
}

func TestRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	require.NoError(t, atomicfile.Remove(path))
	_, err := os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorIs(t, atomicfile.Remove(path), os.ErrNotExist)
}

func TestSyncDir_Missing(t *testing.T) {
	require.Error(t, atomicfile.SyncDir(filepath.Join(t.TempDir(), "missing")))
}
