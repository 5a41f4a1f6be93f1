//go:build linux

package shard_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/shard"
)

func TestShard_FullDisk(t *testing.T) {
	mnt := testutil.MountSmallFS(t, 16<<20)
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
	testutil.FillDisk(t, filepath.Join(mnt, "filler")) // not even room for a manifest
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

// TestShard_FullDisk_OpenAfterCrash: a shard that crashed on a full disk opens on that disk,
// with nothing left to write its checkpoint with, and serves every acknowledged record; once
// space is back it takes appends again, and a later crash loses nothing either.
func TestShard_FullDisk_OpenAfterCrash(t *testing.T) {
	mnt := testutil.MountSmallFS(t, 16<<20)
	ballast := filepath.Join(mnt, "ballast")
	require.NoError(t, os.WriteFile(ballast, make([]byte, 2<<20), 0o644))
	dir := filepath.Join(mnt, "shard")
	opts := shard.WithCheckpointBytes(shard.Options{MaxSegmentBytes: 512 << 10, Now: newClock(1_000_000_000).Now}, 64<<10)
	s, err := shard.Open(dir, opts)
	require.NoError(t, err)

	var acked int
	for {
		if _, _, err = s.Append(batch(uint64(acked), 16, 1<<10)); err != nil {
			break
		}
		acked += 16
	}
	require.ErrorIs(t, err, syscall.ENOSPC)
	s.Abandon() // a crash: no clean flag, the active segment keeps its preallocated tail
	testutil.FillDisk(t, filepath.Join(mnt, "filler"))

	s, err = shard.Open(dir, opts)
	require.NoError(t, err, "Open after a crash on a full disk")
	requireRecords(t, readAll(t, s, 0), 0, 0, acked, 1<<10)
	_, _, err = s.Append(batch(uint64(acked), 16, 1<<10))
	require.ErrorIs(t, err, syscall.ENOSPC, "append while the disk is still full")

	require.NoError(t, os.Remove(ballast))
	for range 4 {
		first, _, err := s.Append(batch(uint64(acked), 16, 1<<10))
		require.NoError(t, err, "append once space is back")
		require.Equal(t, uint64(acked), first)
		acked += 16
	}
	s.Abandon()
	s = mustOpen(t, dir, opts)
	requireRecords(t, readAll(t, s, 0), 0, 0, acked, 1<<10)
}
