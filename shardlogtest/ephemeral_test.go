//go:build linux

package shardlogtest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/powerloss"
	"github.com/shardlog/shardlog/shardlogtest"
)

// TestNew_SyncsNothingByDefault: with the default Sync, a stream's create, put, read and
// delete sync nothing under the server's directory, metadata included; with Sync "always"
// the same cycle syncs, as a durable server must.
func TestNew_SyncsNothingByDefault(t *testing.T) {
	for _, tc := range []struct {
		sync      string
		wantSyncs bool
	}{{"", false}, {"none", false}, {"always", true}} {
		t.Run("sync="+tc.sync, func(t *testing.T) {
			srv := shardlogtest.New(t, shardlogtest.Options{Sync: tc.sync})
			rec, err := powerloss.NewRecorder(srv.Dir, nil)
			require.NoError(t, err)
			cycle(t, context.Background(), srv.Client, "cycled")
			require.NoError(t, rec.Close())
			if tc.wantSyncs {
				require.NotZero(t, rec.Syncs(), "syncs of a create-put-get-delete cycle")
			} else {
				require.Zero(t, rec.Syncs(), "syncs of a create-put-get-delete cycle")
			}
		})
	}
}
