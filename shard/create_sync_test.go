package shard_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/durable"
	"github.com/shardlog/shardlog/shard"
)

// dirSyncs is a durable.Watcher that counts the syncs of each directory.
type dirSyncs struct {
	mu sync.Mutex
	n  map[string]int
}

func (d *dirSyncs) Syncing(_ int, dir string) (func(error), error) {
	if dir != "" {
		d.mu.Lock()
		d.n[dir]++
		d.mu.Unlock()
	}
	return nil, nil
}

// TestOpen_New_SyncsParentOnce: creating a shard syncs its directory's entry in the parent
// once, whether Open makes the directory or finds it empty (left by a crash before the
// shard was created, and maybe not durable).
func TestOpen_New_SyncsParentOnce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		exists bool
	}{{"made", false}, {"found empty", true}} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "shard")
			if tc.exists {
				require.NoError(t, os.Mkdir(dir, 0o755))
			}
			w := &dirSyncs{n: map[string]int{}}
			stop := durable.Watch(w)
			s := mustOpen(t, dir, shard.Options{Now: newClock(1700000000000).Now})
			stop()
			require.NotNil(t, s)
			require.Equal(t, 1, w.n[parent], "syncs of the parent directory")
			require.Positive(t, w.n[dir], "syncs of the shard directory")
		})
	}
}
