package stream_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/stream"
)

// TestCheck_Evidence damages a closed data directory in one way per case and checks that
// Check reports exactly that problem, naming the file (and the position of damaged bytes).
func TestCheck_Evidence(t *testing.T) {
	segPath := func(streamDir string) string {
		return filepath.Join(streamDir, "shardId-000000000000", "00000000000000000000.seg")
	}
	tests := []struct {
		name       string
		damage     func(t *testing.T, dir, streamDir string)
		wantDamage bool
		wantPath   func(dir, streamDir string) string
		wantOffset bool // the problem names a byte position in the file
	}{
		{"flipped byte in a batch", func(t *testing.T, _, streamDir string) {
			testutil.FlipByte(t, segPath(streamDir), segment.HeaderSize+20)
		}, true, func(_, streamDir string) string { return segPath(streamDir) }, true},
		{"lost catalog file", func(t *testing.T, dir, _ string) {
			require.NoError(t, os.Remove(filepath.Join(dir, "catalog", "a.json")))
		}, true, func(_, streamDir string) string { return streamDir }, false},
		{"lost stream directory", func(t *testing.T, _, streamDir string) {
			require.NoError(t, os.RemoveAll(streamDir))
		}, true, func(_, streamDir string) string { return streamDir }, false},
		{"lost shard manifest", func(t *testing.T, _, streamDir string) {
			require.NoError(t, os.Remove(filepath.Join(streamDir, "shardId-000000000001", "manifest")))
		}, true, func(_, streamDir string) string { return filepath.Join(streamDir, "shardId-000000000001") }, false},
		{"unknown file", func(t *testing.T, dir, _ string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "README"), nil, 0o644))
		}, false, func(dir, _ string) string { return filepath.Join(dir, "README") }, false},
		{"unfinished catalog replacement", func(t *testing.T, dir, _ string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "catalog", "a.json.tmp"), []byte("{"), 0o644))
		}, false, func(dir, _ string) string { return filepath.Join(dir, "catalog", "a.json.tmp") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, streamDir, _, _ := damageFixture(t)
			rep, err := stream.Check(dir, stream.CheckOptions{})
			require.NoError(t, err)
			require.Empty(t, rep.Problems, "Check before the damage")
			require.Equal(t, 2, rep.Shards)
			require.Equal(t, uint64(20), rep.Records)

			tt.damage(t, dir, streamDir)
			rep, err = stream.Check(dir, stream.CheckOptions{})
			require.NoError(t, err)
			require.Len(t, rep.Problems, 1, "problems: %v", rep.Problems)
			p := rep.Problems[0]
			require.Equal(t, tt.wantDamage, p.Damage, "Damage of %v", p)
			require.Equal(t, tt.wantPath(dir, streamDir), p.Path, "Path of %v", p)
			require.NotEmpty(t, p.Reason)
			require.Contains(t, p.String(), p.Path)
			if tt.wantOffset {
				require.ErrorIs(t, p.Err, segment.ErrCorrupt)
				require.GreaterOrEqual(t, p.Offset, int64(segment.HeaderSize), "Offset of %v", p)
				require.LessOrEqual(t, p.Offset, int64(segment.HeaderSize+20), "Offset of %v", p)
			} else {
				require.Equal(t, int64(-1), p.Offset, "Offset of %v", p)
			}
			want := 0
			if tt.wantDamage {
				want = 1
			}
			require.Equal(t, want, rep.Damaged())
		})
	}
}

func TestCheck_NotADataDirectory(t *testing.T) {
	_, err := stream.Check(t.TempDir(), stream.CheckOptions{})
	require.ErrorContains(t, err, "not a shardlog data directory")
}
