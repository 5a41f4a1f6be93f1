package durable_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/durable"
)

// TestSkip_OnlyUnderRoot checks that Skip silences the syncs under its root, the root
// included, and no others, and that stop brings them back.
func TestSkip_OnlyUnderRoot(t *testing.T) {
	base := t.TempDir()
	root, other := filepath.Join(base, "eph"), filepath.Join(base, "eph-not") // a prefix of the name is not under root
	for _, d := range []string{root, filepath.Join(root, "sub"), other} {
		require.NoError(t, os.Mkdir(d, 0o755))
	}
	in, err := os.Create(filepath.Join(root, "sub", "f"))
	require.NoError(t, err)
	defer in.Close()
	out, err := os.Create(filepath.Join(other, "f"))
	require.NoError(t, err)
	defer out.Close()

	var r recorder
	stopWatch := durable.Watch(&r)
	defer stopWatch()
	stop, err := durable.Skip(root)
	require.NoError(t, err)
	require.NoError(t, durable.Fdatasync(in))
	require.NoError(t, durable.SyncFile(in))
	require.NoError(t, durable.SyncDir(root))
	require.NoError(t, durable.SyncDir(filepath.Join(root, "sub")))
	require.NoError(t, durable.SyncFile(out))
	require.NoError(t, durable.SyncDir(other))
	require.NoError(t, durable.SyncDir(base))
	stop()
	stop() // a second stop does nothing
	require.NoError(t, durable.Fdatasync(in))
	require.NoError(t, durable.SyncDir(root))
	stopWatch()

	require.Equal(t, []string{"file", other, base, "file", root}, r.before)
}

// TestSkip_RelativeRoot checks that a root and file names given relative to the working
// directory match their absolute forms.
func TestSkip_RelativeRoot(t *testing.T) {
	base := t.TempDir()
	t.Chdir(base)
	require.NoError(t, os.Mkdir("eph", 0o755))
	f, err := os.Create(filepath.Join("eph", "f"))
	require.NoError(t, err)
	defer f.Close()

	var r recorder
	stopWatch := durable.Watch(&r)
	defer stopWatch()
	stop, err := durable.Skip("./eph")
	require.NoError(t, err)
	defer stop()
	require.NoError(t, durable.Fdatasync(f))
	require.NoError(t, durable.SyncDir(filepath.Join(base, "eph")))
	require.NoError(t, durable.SyncDir("eph"))
	stopWatch()
	require.Empty(t, r.before)
}
