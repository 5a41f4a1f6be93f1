package shard_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/shard"
)

// mountSmallFS mounts a filesystem of size bytes on a new directory and unmounts it when the
// test ends: ext4 on a loop device if mkfs.ext4 and loop devices work here, else tmpfs. It
// skips the test when neither can be mounted (not root, or no mount permission).
func mountSmallFS(t *testing.T, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small filesystem needs root")
	}
	mnt := t.TempDir()
	if mkfs, err := exec.LookPath("mkfs.ext4"); err == nil {
		img := filepath.Join(t.TempDir(), "fs.img")
		require.NoError(t, os.WriteFile(img, nil, 0o644))
		require.NoError(t, os.Truncate(img, size))
		if exec.Command(mkfs, "-q", "-F", img).Run() == nil &&
			exec.Command("mount", "-o", "loop", img, mnt).Run() == nil {
			t.Cleanup(func() { exec.Command("umount", mnt).Run() })
			t.Logf("full disk: ext4 on a loop device, %d bytes", size)
			return mnt
		}
	}
	if exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.FormatInt(size, 10), "tmpfs", mnt).Run() == nil {
		t.Cleanup(func() { exec.Command("umount", mnt).Run() })
		t.Logf("full disk: tmpfs, %d bytes", size)
		return mnt
	}
	t.Skip("cannot mount a small filesystem here")
	return ""
}

// fillRest writes the file at path until the filesystem has no space left.
func fillRest(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	chunk := make([]byte, 1<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			require.ErrorIs(t, err, syscall.ENOSPC)
			return
		}
	}
}

func TestShard_FullDisk(t *testing.T) {
	mnt := mountSmallFS(t, 16<<20)
	ballast := filepath.Join(mnt, "ballast")
	require.NoError(t, os.WriteFile(ballast, make([]byte, 2<<20), 0o644))
	clk := newClock(1_000_000_000)
	dir := filepath.Join(mnt, "shard")
	opts := shard.Options{MaxSegmentBytes: 512 << 10, Now: clk.Now}
	s := mustOpen(t, dir, opts)

	// Fill the disk: the append that finds no space fails with ENOSPC.
	var acked int
	var err error
	for {
		var first uint64
		first, _, err = s.Append(batch(uint64(acked), 16, 1<<10))
		if err != nil {
			break
		}
		require.Equal(t, uint64(acked), first, "first offset of batch %d", acked/16)
		acked += 16
	}
	require.ErrorIs(t, err, syscall.ENOSPC, "the error of the append that filled the disk")
	require.Positive(t, acked)
	t.Logf("disk full after %d records", acked)
	for range 3 {
		_, _, err := s.Append(batch(uint64(acked), 16, 1<<10))
		require.ErrorIs(t, err, syscall.ENOSPC, "appends while the disk is full")
	}
	require.Equal(t, uint64(acked), s.NextOffset(), "tip after failed appends")
	requireRecords(t, readAll(t, s, 0), 0, 0, acked, 1<<10)

	// Space is back: appends continue at the next offset.
	require.NoError(t, os.Remove(ballast))
	first, _, err := s.Append(batch(uint64(acked), 16, 1<<10))
	require.NoError(t, err, "append once space is back")
	require.Equal(t, uint64(acked), first)
	acked += 16
	requireRecords(t, readAll(t, s, 0), 0, 0, acked, 1<<10)

	// Fill it again; this time retention frees the space.
	for err == nil {
		_, _, err = s.Append(batch(uint64(acked), 16, 1<<10))
		if err == nil {
			acked += 16
		}
	}
	require.ErrorIs(t, err, syscall.ENOSPC)
	fillRest(t, filepath.Join(mnt, "filler")) // not even room for a manifest
	clk.Advance(25 * time.Hour)
	n, bytes, err := s.DeleteExpired()
	require.NoError(t, err, "DeleteExpired on a full disk")
	require.Positive(t, n)
	t.Logf("retention deleted %d segments, %d bytes", n, bytes)
	first, _, err = s.Append(batch(uint64(acked), 16, 1<<10))
	require.NoError(t, err, "append once retention freed space")
	require.Equal(t, uint64(acked), first)
	requireRecords(t, readAll(t, s, 0), uint64(acked), uint64(acked), 16, 1<<10)
	require.NoError(t, s.Close())

	s = mustOpen(t, dir, opts)
	requireRecords(t, readAll(t, s, 0), uint64(acked), uint64(acked), 16, 1<<10)
}
