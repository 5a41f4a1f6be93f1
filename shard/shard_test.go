package shard_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

func TestParseSyncPolicy(t *testing.T) {
	tests := []struct {
		in      string
		want    shard.SyncPolicy
		wantErr bool
	}{
		{"always", shard.SyncAlways, false},
		{"interval", shard.SyncInterval, false},
		{"none", shard.SyncNone, false},
		{"", 0, true},
		{"Always", 0, true},
		{"sometimes", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := shard.ParseSyncPolicy(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, shard.ErrSyncPolicy)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.in, got.String(), "String() of ParseSyncPolicy(%q)", tt.in)
		})
	}
}

func TestShard_AppendRead(t *testing.T) {
	for _, codec := range []segment.Codec{segment.CodecNone, segment.CodecS2, segment.CodecZstd} {
		for _, sync := range []shard.SyncPolicy{shard.SyncAlways, shard.SyncInterval, shard.SyncNone} {
			t.Run(fmt.Sprintf("codec=%v/sync=%v", codec, sync), func(t *testing.T) {
				opts := shard.Options{Codec: codec, Sync: sync, SyncInterval: time.Millisecond, MaxSegmentBytes: 16 << 10}
				s := mustOpen(t, t.TempDir(), opts)
				var id uint64
				for i := range 40 {
					n := 1 + i%7
					first, _, err := s.Append(batch(id, n, 100))
					require.NoError(t, err)
					require.Equal(t, id, first, "Append(%d records) first offset", n)
					id += uint64(n)
				}
				require.Equal(t, id, s.NextOffset())
				requireRecords(t, readAll(t, s, 0), 0, 0, int(id), 100)
				requireRecords(t, readAll(t, s, 17), 17, 17, int(id)-17, 100)
				require.Greater(t, s.Stats().Segments, 1, "segments after %d records of 100 B in 16 KiB segments", id)
			})
		}
	}
}

func TestShard_Append_Errors(t *testing.T) {
	s := mustOpen(t, t.TempDir(), shard.Options{})
	_, _, err := s.Append(nil)
	require.ErrorIs(t, err, shard.ErrEmptyBatch)
	_, _, err = s.Append([]segment.Record{{Data: make([]byte, segment.MaxBatchBytes)}})
	require.ErrorIs(t, err, segment.ErrBatchTooLarge)
	first, _, err := s.Append(batch(0, 1, 10))
	require.NoError(t, err)
	require.Zero(t, first, "first offset after failed appends")
}

func TestShard_Append_DoesNotModifyRecords(t *testing.T) {
	s := mustOpen(t, t.TempDir(), shard.Options{})
	recs := batch(0, 3, 10)
	recs[1].Offset, recs[1].TimeMs = 99, 12345
	_, _, err := s.Append(recs)
	require.NoError(t, err)
	require.Equal(t, uint64(99), recs[1].Offset)
	require.Equal(t, int64(12345), recs[1].TimeMs)
}

func TestShard_Append_ArrivalTime(t *testing.T) {
	clk := newClock(1_000_000)
	s := mustOpen(t, t.TempDir(), shard.Options{Now: clk.Now})
	steps := []struct {
		name    string
		clockMs int64
		wantMs  int64
	}{
		{"now", 1_000_000, 1_000_000},
		{"later", 1_000_500, 1_000_500},
		{"clock goes back", 999_000, 1_000_500},
		{"clock catches up", 1_000_501, 1_000_501},
	}
	for i, st := range steps {
		clk.Set(st.clockMs)
		first, timeMs, err := s.Append(batch(uint64(i*2), 2, 10))
		require.NoError(t, err)
		require.Equal(t, st.wantMs, timeMs, "%s: Append arrival time", st.name)
		require.Equal(t, st.wantMs, s.LastTimeMs(), "%s: LastTimeMs", st.name)
		recs := readAll(t, s, first)
		require.Len(t, recs, 2)
		for _, r := range recs {
			require.Equal(t, st.wantMs, r.TimeMs, "%s: record %d arrival time", st.name, r.Offset)
		}
	}
}

func TestShard_Read_Limits(t *testing.T) {
	s := mustOpen(t, t.TempDir(), shard.Options{MaxSegmentBytes: 4 << 10})
	for i := range 10 {
		_, _, err := s.Append(batch(uint64(i*10), 10, 100)) // key "kN" + 100 B
		require.NoError(t, err)
	}
	size := func(off uint64) int { r := record(off, 100); return len(r.Data) + len(r.PartitionKey) }
	tests := []struct {
		name       string
		from       uint64
		maxRecords int
		maxBytes   int
		wantFirst  uint64
		wantN      int
	}{
		{"all", 0, 0, 0, 0, 100},
		{"from the middle", 37, 0, 0, 37, 63},
		{"max records", 5, 7, 0, 5, 7},
		{"max records across batches and segments", 3, 90, 0, 3, 90},
		{"max bytes fits exactly", 0, 0, size(0) + size(1), 0, 2},
		{"max bytes one short", 0, 0, size(0) + size(1) - 1, 0, 1},
		{"first record larger than max bytes", 20, 0, 1, 20, 1},
		{"both limits, records first", 0, 2, 1 << 20, 0, 2},
		{"at the tip", 100, 0, 0, 100, 0},
		{"past the tip", 150, 0, 0, 150, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []segment.Record
			next, err := s.Read(tt.from, tt.maxRecords, tt.maxBytes, func(r segment.Record) error {
				got = append(got, copyRecord(r))
				return nil
			})
			require.NoError(t, err)
			requireRecords(t, got, tt.wantFirst, tt.wantFirst, tt.wantN, 100)
			require.Equal(t, tt.wantFirst+uint64(tt.wantN), next, "Read(%d, %d, %d) next", tt.from, tt.maxRecords, tt.maxBytes)
		})
	}
}

func TestShard_Read_CallbackError(t *testing.T) {
	s := mustOpen(t, t.TempDir(), shard.Options{})
	_, _, err := s.Append(batch(0, 10, 10))
	require.NoError(t, err)
	stop := errors.New("stop")
	n := 0
	next, err := s.Read(2, 0, 0, func(r segment.Record) error {
		if n++; n == 4 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	require.Equal(t, uint64(5), next, "Read next after the callback refused offset 5")
}

func TestShard_OffsetAt(t *testing.T) {
	clk := newClock(10_000)
	s := mustOpen(t, t.TempDir(), shard.Options{Now: clk.Now, MaxSegmentBytes: 2 << 10})
	// Arrival times 10_000, 10_010, …: batch i (5 records) arrives at 10_000 + 10*i.
	for i := range 20 {
		clk.Set(10_000 + int64(i)*10)
		_, _, err := s.Append(batch(uint64(i*5), 5, 50))
		require.NoError(t, err)
	}
	tests := []struct {
		name   string
		timeMs int64
		want   uint64
	}{
		{"before everything", 0, 0},
		{"first batch", 10_000, 0},
		{"between batches", 10_001, 5},
		{"exact batch", 10_050, 25},
		{"last batch", 10_190, 95},
		{"after everything", 10_191, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.OffsetAt(tt.timeMs)
			require.NoError(t, err)
			require.Equal(t, tt.want, got, "OffsetAt(%d)", tt.timeMs)
		})
	}
}

func TestShard_Roll(t *testing.T) {
	tests := []struct {
		name      string
		opts      shard.Options
		advance   time.Duration // per append
		wantRolls uint64
	}{
		{"by size", shard.Options{MaxSegmentBytes: 1 << 10}, 0, 9},
		{"by age", shard.Options{MaxSegmentAge: time.Minute}, 30 * time.Second, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock(1_000_000)
			tt.opts.Now = clk.Now
			dir := t.TempDir()
			s := mustOpen(t, dir, tt.opts)
			for i := range 10 {
				_, _, err := s.Append(batch(uint64(i*10), 10, 100))
				require.NoError(t, err)
				clk.Advance(tt.advance)
			}
			st := s.Stats()
			require.Equal(t, tt.wantRolls, st.Rolls, "rolls")
			require.Equal(t, int(tt.wantRolls)+1, st.Segments, "segments")
			segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
			require.Len(t, segs, st.Segments, "segment files")
			requireRecords(t, readAll(t, s, 0), 0, 0, 100, 100)
		})
	}
}

func TestShard_Seal(t *testing.T) {
	dir := t.TempDir()
	opts := shard.Options{MaxSegmentBytes: 4 << 10}
	s, err := shard.Open(dir, opts)
	require.NoError(t, err)
	for i := range 10 {
		_, _, err := s.Append(batch(uint64(i*10), 10, 100))
		require.NoError(t, err)
	}
	require.False(t, s.Sealed())
	require.NoError(t, s.Seal())
	require.NoError(t, s.Seal(), "second Seal")
	require.True(t, s.Sealed())
	_, _, err = s.Append(batch(100, 1, 100))
	require.ErrorIs(t, err, shard.ErrSealed)
	require.Equal(t, uint64(100), s.NextOffset())
	requireRecords(t, readAll(t, s, 0), 0, 0, 100, 100)
	require.Zero(t, s.Stats().OpenFiles, "open files of a sealed shard")
	require.NoError(t, s.Close())

	s = mustOpen(t, dir, opts)
	require.True(t, s.Sealed(), "Sealed after reopen")
	require.Equal(t, uint64(100), s.NextOffset(), "NextOffset after reopen")
	_, _, err = s.Append(batch(100, 1, 100))
	require.ErrorIs(t, err, shard.ErrSealed, "Append after reopen")
	requireRecords(t, readAll(t, s, 0), 0, 0, 100, 100)
}

func TestShard_AfterClose(t *testing.T) {
	s, err := shard.Open(t.TempDir(), shard.Options{})
	require.NoError(t, err)
	_, _, err = s.Append(batch(0, 3, 10))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	tests := []struct {
		name string
		call func() error
	}{
		{"Append", func() error { _, _, err := s.Append(batch(3, 1, 10)); return err }},
		{"Read", func() error { _, err := s.Read(0, 0, 0, func(segment.Record) error { return nil }); return err }},
		{"OffsetAt", func() error { _, err := s.OffsetAt(0); return err }},
		{"Seal", s.Seal},
		{"DeleteExpired", func() error { _, _, err := s.DeleteExpired(); return err }},
		{"Close", s.Close},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.call(), shard.ErrClosed)
		})
	}
	require.Equal(t, uint64(3), s.NextOffset(), "NextOffset after Close")
}

func TestShard_CloseReopen(t *testing.T) {
	dir := t.TempDir()
	opts := shard.Options{MaxSegmentBytes: 4 << 10, CreatedMs: 1234}
	s, err := shard.Open(dir, opts)
	require.NoError(t, err)
	for i := range 10 {
		_, _, err := s.Append(batch(uint64(i*10), 10, 100))
		require.NoError(t, err)
	}
	last := s.LastTimeMs()
	require.NoError(t, s.Close())

	opts.CreatedMs = 99 // ignored: the shard exists
	s = mustOpen(t, dir, opts)
	st := s.Stats()
	require.Zero(t, st.RecoveredBytes, "bytes scanned after a clean Close")
	require.Equal(t, int64(1234), s.CreatedMs())
	require.Equal(t, uint64(100), s.NextOffset())
	require.Equal(t, last, s.LastTimeMs())
	require.Equal(t, 1, st.Mappings, "mappings after a clean open (the active segment)")
	require.Equal(t, 1, st.OpenFiles, "open files after a clean open (the active writer)")
	first, _, err := s.Append(batch(100, 10, 100))
	require.NoError(t, err)
	require.Equal(t, uint64(100), first)
	requireRecords(t, readAll(t, s, 0), 0, 0, 110, 100)
}

func TestRemove(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shard-0")
	s, err := shard.Open(dir, shard.Options{})
	require.NoError(t, err)
	_, _, err = s.Append(batch(0, 3, 10))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, shard.Remove(dir))
	_, err = os.Stat(dir)
	require.ErrorIs(t, err, os.ErrNotExist)
}
