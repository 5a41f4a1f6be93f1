//go:build linux

package powerloss_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/durable"
	"github.com/shardlog/shardlog/internal/powerloss"
)

// start returns a new root directory and a Recorder on it whose image after each sync is
// kept in *last.
func start(t *testing.T) (string, *powerloss.Recorder, **powerloss.Image) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	require.NoError(t, os.Mkdir(root, 0o755))
	last := new(*powerloss.Image)
	var r *powerloss.Recorder
	r, err := powerloss.NewRecorder(root, func(int) { *last = r.ImageLocked(true) })
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, r.Close()) })
	return root, r, last
}

// writeSynced writes data to path and syncs it, but not its directory.
func writeSynced(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = f.WriteString(data)
	require.NoError(t, err)
	require.NoError(t, durable.Fdatasync(f))
	require.NoError(t, f.Close())
}

// tree returns the files under dir with their contents, and the directories as "/".
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		rel, _ := filepath.Rel(dir, path)
		switch {
		case rel == ".":
		case d.IsDir():
			out[rel] = "/"
		default:
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			out[rel] = string(b)
		}
		return nil
	}))
	return out
}

func materialize(t *testing.T, img *powerloss.Image) map[string]string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "image")
	require.NoError(t, img.Materialize(dst))
	return tree(t, dst)
}

func TestRecorder_Model(t *testing.T) {
	root, _, last := start(t)

	writeSynced(t, filepath.Join(root, "a"), "one")
	require.NoError(t, durable.SyncDir(root))
	require.Equal(t, map[string]string{"a": "one"}, materialize(t, *last))

	// Written after its sync: not durable. A new file whose directory is not synced: absent.
	f, err := os.OpenFile(filepath.Join(root, "a"), os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString("two")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	writeSynced(t, filepath.Join(root, "b"), "bee")
	require.Equal(t, map[string]string{"a": "one"}, materialize(t, *last))

	// A rename over a, the directory not synced: a is still the old file.
	writeSynced(t, filepath.Join(root, "a.tmp"), "new")
	require.NoError(t, os.Rename(filepath.Join(root, "a.tmp"), filepath.Join(root, "a")))
	require.Equal(t, map[string]string{"a": "one"}, materialize(t, *last))

	// The directory synced: the rename and b are durable, and a is the new file.
	require.NoError(t, durable.SyncDir(root))
	require.Equal(t, map[string]string{"a": "new", "b": "bee"}, materialize(t, *last))

	// A directory made and filled, its parent not synced: absent. Synced: there, and a file
	// in it that was never synced is empty.
	sub := filepath.Join(root, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	writeSynced(t, filepath.Join(sub, "c"), "sea")
	require.NoError(t, os.WriteFile(filepath.Join(sub, "d"), []byte("never synced"), 0o644))
	require.NoError(t, durable.SyncDir(sub))
	require.Equal(t, map[string]string{"a": "new", "b": "bee"}, materialize(t, *last))
	require.NoError(t, durable.SyncDir(root))
	require.Equal(t, map[string]string{"a": "new", "b": "bee", "sub": "/", "sub/c": "sea", "sub/d": ""}, materialize(t, *last))

	// A removal not synced: still there.
	require.NoError(t, os.Remove(filepath.Join(root, "b")))
	require.NoError(t, durable.SyncDir(sub))
	require.Contains(t, materialize(t, *last), "b")
}

func TestRecorder_OutsideRoot(t *testing.T) {
	root, r, _ := start(t)
	other := t.TempDir()
	writeSynced(t, filepath.Join(other, "x"), "x")
	require.NoError(t, durable.SyncDir(other))
	require.Zero(t, r.Syncs(), "syncs outside the root are not counted")
	require.NoError(t, durable.SyncDir(root))
	require.Equal(t, 1, r.Syncs())
}

// TestRecorder_ParallelRoots: Recorders on different roots run side by side, each with its
// own configuration (here one fails every sync, as a dead disk, and the other does not), and
// neither sees the other's syncs. The watchers are a registry of the process, not a knob:
// each picks the syncs under its own root, so tests that record may run in parallel.
func TestRecorder_ParallelRoots(t *testing.T) {
	errDisk := errors.New("disk failed")
	for _, failing := range []bool{true, false} {
		t.Run(fmt.Sprintf("failing=%v", failing), func(t *testing.T) {
			t.Parallel()
			root, r, _ := start(t)
			if failing {
				r.SetFail(errDisk)
			}
			for i := range 50 {
				err := durable.SyncDir(root)
				if failing {
					require.ErrorIs(t, err, errDisk, "sync %d under the failing root", i)
				} else {
					require.NoError(t, err, "sync %d under the healthy root", i)
				}
			}
			want := 50
			if failing {
				want = 0 // a failed sync completes nothing
			}
			require.Equal(t, want, r.Syncs(), "syncs seen by the recorder of its own root")
		})
	}
}

// unsyncedTail starts a file of 4 sectors whose first 100 bytes are synced, then writes
// 3 more sectors' worth after them without a sync, and returns the image after that.
func unsyncedTail(t *testing.T) *powerloss.Image {
	t.Helper()
	root, _, last := start(t)
	f, err := os.Create(filepath.Join(root, "seg"))
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, f.Truncate(4*powerloss.SectorSize)) // preallocated, zeros
	_, err = f.WriteAt(bytes.Repeat([]byte("s"), 100), 0)
	require.NoError(t, err)
	require.NoError(t, durable.Fdatasync(f))
	require.NoError(t, durable.SyncDir(root))
	_, err = f.WriteAt(bytes.Repeat([]byte("u"), 3*powerloss.SectorSize), 100)
	require.NoError(t, err)
	require.NoError(t, durable.SyncDir(root)) // the image is taken after this sync, with the tail
	return *last
}

// sectorsWritten returns, for each sector of b, whether it holds the unsynced bytes, and
// checks that each holds all of them or none.
func sectorsWritten(t *testing.T, b []byte) [4]bool {
	t.Helper()
	require.Len(t, b, 4*powerloss.SectorSize)
	require.Equal(t, bytes.Repeat([]byte("s"), 100), b[:100], "synced bytes are never lost")
	var w [4]bool
	for i := range 4 {
		from := max(i*powerloss.SectorSize, 100)
		sector := b[from : (i+1)*powerloss.SectorSize]
		w[i] = sector[0] == 'u'
		if i == 3 {
			sector = sector[:100] // the write ends 100 bytes into the last sector
		}
		want := byte(0)
		if w[i] {
			want = 'u'
		}
		require.Equal(t, bytes.Repeat([]byte{want}, len(sector)), sector, "sector %d is written whole or not at all", i)
	}
	return w
}

func TestImage_MaterializeTorn(t *testing.T) {
	img := unsyncedTail(t)
	seen := map[[4]bool]bool{}
	for i := range 100 {
		dst := filepath.Join(t.TempDir(), "torn")
		require.NoError(t, img.MaterializeTorn(dst, rand.New(rand.NewPCG(uint64(i), 1))))
		b, err := os.ReadFile(filepath.Join(dst, "seg"))
		require.NoError(t, err)
		w := sectorsWritten(t, b)
		for j := 1; j < 4; j++ {
			require.False(t, w[j] && !w[j-1], "sectors reach the disk in order: %v", w)
		}
		seen[w] = true
	}
	require.Len(t, seen, 5, "every prefix of the 4 sectors, from none to all")
}

func TestImage_MaterializeReordered(t *testing.T) {
	img := unsyncedTail(t)
	seen := map[[4]bool]bool{}
	for i := range 200 {
		dst := filepath.Join(t.TempDir(), "reordered")
		require.NoError(t, img.MaterializeReordered(dst, rand.New(rand.NewPCG(uint64(i), 1))))
		b, err := os.ReadFile(filepath.Join(dst, "seg"))
		require.NoError(t, err)
		seen[sectorsWritten(t, b)] = true
	}
	require.Len(t, seen, 16, "every subset of the 4 sectors")
}

func TestRecorder_AssumeDurable(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "sub", "f"), []byte("before"), 0o644))
	var last *powerloss.Image
	var r *powerloss.Recorder
	r, err := powerloss.NewRecorder(root, func(int) { last = r.ImageLocked(false) })
	require.NoError(t, err)
	defer r.Close()
	require.NoError(t, r.AssumeDurable())
	require.NoError(t, os.WriteFile(filepath.Join(root, "sub", "f"), []byte("after, not synced"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "g"), []byte("not durable"), 0o644))
	require.NoError(t, durable.SyncDir(filepath.Join(root, "sub")))
	require.Equal(t, map[string]string{"sub": "/", "sub/f": "before"}, materialize(t, last))
}
