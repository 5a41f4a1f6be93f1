//go:build linux

package shard_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/powerloss"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// plT0 is the fake clock's start, ms.
const plT0 = int64(1700000000000)

// TestOpen_PowerLossAfterCrashedCreate: a process that crashes while it creates a shard can
// leave the shard's directory (and files in it) where the next process sees them, but
// without the parent directory's entry made durable. The next Open must make that entry
// durable before it acknowledges records in the shard, or a power loss takes the shard away.
func TestOpen_PowerLossAfterCrashedCreate(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) // what the crashed process left, beside the directory
	}{
		{"empty directory", func(t *testing.T, dir string) {}},
		{"first segment, no manifest", func(t *testing.T, dir string) {
			w, err := segment.Create(filepath.Join(dir, "00000000000000000000.seg"), 0, plT0, segment.WriterOptions{PreallocateBytes: 4096})
			require.NoError(t, err)
			require.NoError(t, w.Close())
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(powerloss.TempDir(t), "root")
			require.NoError(t, os.Mkdir(root, 0o755))
			rec, last := powerloss.RecordLast(t, root)

			dir := filepath.Join(root, "shard")
			require.NoError(t, os.Mkdir(dir, 0o755)) // the crash came before root was synced
			tc.setup(t, dir)
			opts := shard.Options{Sync: shard.SyncAlways, Now: newClock(plT0).Now, PreallocateBytes: 4096}
			s, err := shard.Open(dir, opts)
			require.NoError(t, err)
			_, _, err = s.Append([]segment.Record{{TimeMs: plT0, PartitionKey: []byte("k"), Data: []byte("acknowledged")}})
			require.NoError(t, err)
			img := last() // the power goes off now
			s.Abandon()
			require.NoError(t, rec.Close())

			after := filepath.Join(powerloss.TempDir(t), "after")
			require.NoError(t, img.Materialize(after))
			s2, err := shard.Open(filepath.Join(after, "shard"), opts)
			require.NoError(t, err)
			defer s2.Close()
			var got []string
			_, err = s2.Read(0, 0, 0, func(r segment.Record) error { got = append(got, string(r.Data)); return nil })
			require.NoError(t, err)
			require.Equal(t, []string{"acknowledged"}, got, "records after a power loss")
		})
	}
}

// TestOpen_PowerLossReorderedWriteBack: two appenders write their batches, a sync leader
// starts the fdatasync that would cover both, and the power goes off while the disk writes
// their sectors back, not in order: the second batch reached the disk whole, one sector of
// the first did not. Neither was acknowledged, so the shard must open without them: the
// torn batch is cut, and the whole one after it with it.
func TestOpen_PowerLossReorderedWriteBack(t *testing.T) {
	root := filepath.Join(powerloss.TempDir(t), "root")
	require.NoError(t, os.Mkdir(root, 0o755))
	rec, last := powerloss.RecordLast(t, root)
	dir := filepath.Join(root, "shard")
	opts := shard.Options{Sync: shard.SyncNone, Now: newClock(plT0).Now, PreallocateBytes: 8192}
	s, err := shard.Open(dir, opts)
	require.NoError(t, err)
	for _, d := range []string{"A", "B"} { // written, not synced
		_, _, err = s.Append([]segment.Record{{TimeMs: plT0, PartitionKey: []byte("k"), Data: bytes.Repeat([]byte(d), 1500)}})
		require.NoError(t, err)
	}
	img := last() // after Open's syncs, with the two batches written since
	s.Abandon()
	require.NoError(t, rec.Close())

	after := filepath.Join(powerloss.TempDir(t), "after")
	require.NoError(t, img.Materialize(after))
	seg := filepath.Join(after, "shard", "00000000000000000000.seg")
	cur, err := os.ReadFile(filepath.Join(dir, "00000000000000000000.seg"))
	require.NoError(t, err)
	b, err := os.ReadFile(seg)
	require.NoError(t, err)
	copy(b, cur)                                                                             // both batches reached the disk,
	copy(b[powerloss.SectorSize:2*powerloss.SectorSize], make([]byte, powerloss.SectorSize)) // but for the first one's second sector
	require.NoError(t, os.WriteFile(seg, b, 0o644))
	rep, err := shard.Check(filepath.Join(after, "shard"), opts)
	require.NoError(t, err, "check after a power loss during write-back")
	require.Equal(t, seg, rep.TornFile)
	require.Equal(t, 1, rep.TornBatches, "the whole batch after the torn one is cut with it")
	require.Positive(t, rep.TornBytes)
	require.Equal(t, uint64(0), rep.NextOffset)
	s, err = shard.Open(filepath.Join(after, "shard"), opts)
	require.NoError(t, err, "open after a power loss during write-back")
	defer s.Close()
	require.Equal(t, uint64(0), s.NextOffset(), "no record was acknowledged")
	require.Positive(t, s.Stats().DroppedBytes, "the torn batch and the one after it are cut")
}
