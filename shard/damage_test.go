package shard_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// logBuffer returns a logger that writes text lines into the returned buffer.
func logBuffer() (*slog.Logger, *bytes.Buffer) {
	var b bytes.Buffer
	return slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

// TestOpen_FlippedByteInTail is finding 6: one flipped byte in the last batch after the last
// checkpoint was cut as a torn tail, dropping acknowledged records without a word.
func TestOpen_FlippedByteInTail(t *testing.T) {
	opts := shard.WithCheckpointBytes(shard.Options{MaxSegmentBytes: 1 << 20}, 1<<40)
	src := abandoned(t, opts, 10, 18, 40)
	path := filepath.Join(src, "00000000000000000000.seg")
	ends := batchEnds(t, path, fileSize(t, path))
	for _, pos := range []int64{ends[8] + 4, ends[8] + 20, ends[8] + 100, ends[9] - 1} {
		t.Run(fmt.Sprint("byte=", pos), func(t *testing.T) {
			dir := copyDir(t, src)
			seg := filepath.Join(dir, "00000000000000000000.seg")
			testutil.FlipByte(t, seg, pos)
			before := testutil.TreeState(t, dir)

			rep, err := shard.Check(dir, opts)
			var ce *segment.CorruptionError
			require.ErrorAs(t, err, &ce, "Check with byte %d flipped", pos)
			require.Equal(t, seg, ce.Path)
			require.Equal(t, ends[8], ce.Offset, "Check: position of the damaged batch")
			require.Zero(t, rep.TornBytes)
			require.Equal(t, before, testutil.TreeState(t, dir), "Check changed files")

			log, buf := logBuffer()
			o := opts
			o.Logger = log
			_, err = shard.Open(dir, o)
			require.ErrorAs(t, err, &ce, "Open with byte %d of the last batch flipped", pos)
			require.Equal(t, seg, ce.Path)
			require.Equal(t, ends[8], ce.Offset, "Open: position of the damaged batch")
			require.Contains(t, err.Error(), "not a torn tail")
			require.Equal(t, ends[9], fileSize(t, seg), "Open cut the damaged segment")
			require.NotContains(t, buf.String(), "torn tail")
		})
	}
}

// TestOpen_TornTailLogged: a torn tail is still cut to the exact prefix, and the cut is
// logged with the file, the position and the bytes, and counted.
func TestOpen_TornTailLogged(t *testing.T) {
	opts := shard.WithCheckpointBytes(shard.Options{MaxSegmentBytes: 1 << 20}, 1<<40)
	src := abandoned(t, opts, 6, 3, 20)
	ends := batchEnds(t, filepath.Join(src, "00000000000000000000.seg"), fileSize(t, filepath.Join(src, "00000000000000000000.seg")))
	for cut := ends[4] + 1; cut < ends[5]; cut++ {
		dir := copyDir(t, src)
		seg := filepath.Join(dir, "00000000000000000000.seg")
		require.NoError(t, os.Truncate(seg, cut))

		rep, err := shard.Check(dir, opts)
		require.NoError(t, err, "Check after cutting at %d", cut)
		require.Equal(t, seg, rep.TornFile)
		dropped := nonZeroTail(t, seg, ends[4], cut)
		require.Equal(t, dropped, rep.TornBytes, "Check: torn bytes after cutting at %d", cut)
		require.Equal(t, uint64(15), rep.NextOffset)
		require.Equal(t, cut, fileSize(t, seg), "Check cut the file")

		log, buf := logBuffer()
		o := opts
		o.Logger = log
		s, err := shard.Open(dir, o)
		require.NoError(t, err, "Open after cutting at %d", cut)
		st := s.Stats()
		require.Equal(t, 1, st.TornTails)
		require.Equal(t, 1, st.RecoveredSegments)
		require.Equal(t, dropped, st.DroppedBytes)
		requireRecords(t, readAll(t, s, 0), 0, 0, 15, 20)
		line := buf.String()
		require.Contains(t, line, "level=WARN")
		require.Contains(t, line, "torn tail")
		require.Contains(t, line, "file="+seg)
		require.Contains(t, line, fmt.Sprintf("position=%d", ends[4]))
		require.Contains(t, line, fmt.Sprintf("bytes=%d", dropped))
		s.Abandon()
	}
}

// TestOpen_MustExist is finding 6: a lost shard directory was recreated empty. With
// MustExist (set for every shard the catalog lists) a missing directory, manifest or segment
// is an error naming it, from Open and from Check alike.
func TestOpen_MustExist(t *testing.T) {
	opts := shard.Options{MaxSegmentBytes: 1 << 10, MustExist: true}
	build := func(t *testing.T) string {
		dir := filepath.Join(t.TempDir(), "shard")
		s, err := shard.Open(dir, shard.Options{MaxSegmentBytes: 1 << 10})
		require.NoError(t, err)
		appendBatches(t, s, 6, 5, 200) // one batch per segment
		require.NoError(t, s.Close())
		return dir
	}
	tests := []struct {
		name   string
		damage func(dir string) string // returns the path the error must name
		want   error
	}{
		{"directory", func(dir string) string { os.RemoveAll(dir); return dir }, shard.ErrMissingShard},
		{"manifest", func(dir string) string {
			p := filepath.Join(dir, "manifest")
			os.Remove(p)
			return p
		}, shard.ErrMissingManifest},
		{"middle segment", func(dir string) string {
			p := filepath.Join(dir, "00000000000000000010.seg")
			os.Remove(p)
			return p
		}, shard.ErrMissingSegment},
		{"oldest segment", func(dir string) string {
			p := filepath.Join(dir, "00000000000000000000.seg")
			os.Remove(p)
			return p
		}, shard.ErrMissingSegment},
		{"active segment", func(dir string) string {
			segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
			p := segs[len(segs)-1]
			os.Remove(p)
			return p
		}, shard.ErrMissingSegment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := build(t)
			path := tt.damage(dir)
			_, err := shard.Check(dir, opts)
			require.ErrorIs(t, err, tt.want, "Check")
			require.Contains(t, err.Error(), path)
			_, err = shard.Open(dir, opts)
			require.ErrorIs(t, err, tt.want, "Open")
			require.Contains(t, err.Error(), path)
			if tt.want == shard.ErrMissingShard {
				_, err := os.Stat(dir)
				require.ErrorIs(t, err, fs.ErrNotExist, "Open with MustExist created the directory")
			}
		})
	}
	t.Run("without MustExist a new shard is created", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "new")
		_, err := shard.Check(dir, shard.Options{})
		require.ErrorIs(t, err, shard.ErrMissingShard, "Check of a directory that does not exist")
		s := mustOpen(t, dir, shard.Options{})
		require.Equal(t, uint64(0), s.NextOffset())
		require.NoError(t, s.Close())
		s = mustOpen(t, dir, shard.Options{MustExist: true})
		require.Equal(t, uint64(0), s.NextOffset())
	})
}

// TestCheck_AgreesWithOpen runs Check and then Open on damaged copies of one shard: Check
// changes no file, and fails exactly when Open fails, with the same kind of error.
func TestCheck_AgreesWithOpen(t *testing.T) {
	opts := shard.WithCheckpointBytes(shard.Options{MaxSegmentBytes: 1 << 10, MustExist: true}, 1<<40)
	dir := t.TempDir()
	s, err := shard.Open(dir, shard.Options{MaxSegmentBytes: 1 << 10})
	require.NoError(t, err)
	appendBatches(t, s, 3, 5, 200) // three sealed segments
	// Two batches in the active one. The roll into it starts a checkpoint in the background;
	// it must be over before the last batch, so that the last batch is past the checkpoint
	// whenever the checkpoint's goroutine happens to run (the damage below is to that batch).
	appendBatches(t, s, 1, 1, 100)
	s.WaitBackground()
	appendBatches(t, s, 1, 1, 100)
	s.Abandon()
	active := filepath.Join(dir, "00000000000000000015.seg")
	tests := []struct {
		name    string
		damage  func(dir string)
		wantErr bool
	}{
		{"none", func(string) {}, false},
		{"index of a sealed segment missing", func(dir string) { os.Remove(filepath.Join(dir, "00000000000000000005.idx")) }, false},
		{"leftover tmp file", func(dir string) { os.WriteFile(filepath.Join(dir, "manifest.tmp"), []byte("x"), 0o644) }, false},
		{"torn tail", func(dir string) {
			p := filepath.Join(dir, filepath.Base(active))
			os.Truncate(p, fileSize(t, p)-3)
		}, false},
		{"flipped byte in the active segment's last batch", func(dir string) {
			p := filepath.Join(dir, filepath.Base(active))
			testutil.FlipByte(t, p, fileSize(t, p)-5)
		}, true},
		{"manifest checksum", func(dir string) { testutil.FlipByte(t, filepath.Join(dir, "manifest"), 10) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := copyDir(t, dir)
			tt.damage(d)
			before := testutil.TreeState(t, d)
			_, checkErr := shard.Check(d, opts)
			require.Equal(t, before, testutil.TreeState(t, d), "Check changed files")
			s, openErr := shard.Open(d, opts)
			if openErr == nil {
				s.Close()
			}
			require.Equal(t, tt.wantErr, openErr != nil, "Open: %v", openErr)
			require.Equal(t, tt.wantErr, checkErr != nil, "Check: %v", checkErr)
			if tt.wantErr {
				require.Equal(t, strings.Contains(openErr.Error(), "manifest"), strings.Contains(checkErr.Error(), "manifest"))
				require.NotContains(t, checkErr.Error(), "segment "+filepath.Join(d, "manifest"), "the manifest called a segment")
			}
		})
	}
}

// TestQuarantine: a quarantined shard answers every operation on its log with the damage,
// deletes nothing, and Close writes nothing: its files stay for a person to look at.
func TestQuarantine(t *testing.T) {
	dir := abandoned(t, shard.Options{}, 3, 2, 20)
	testutil.FlipByte(t, filepath.Join(dir, "00000000000000000000.seg"), segment.HeaderSize+10)
	_, openErr := shard.Open(dir, shard.Options{MustExist: true})
	require.True(t, shard.IsDamage(openErr), "IsDamage(%v)", openErr)
	require.False(t, shard.IsDamage(fs.ErrPermission))
	before := testutil.TreeState(t, dir)

	s := shard.Quarantine(dir, openErr)
	require.ErrorIs(t, s.Damaged(), segment.ErrCorrupt)
	_, _, err := s.Append(batch(0, 1, 10))
	require.ErrorIs(t, err, segment.ErrCorrupt, "Append")
	_, err = s.Read(0, 0, 0, func(segment.Record) error { return nil })
	require.ErrorIs(t, err, segment.ErrCorrupt, "Read")
	_, err = s.OffsetAt(0)
	require.ErrorIs(t, err, segment.ErrCorrupt, "OffsetAt")
	require.ErrorIs(t, s.Seal(), segment.ErrCorrupt, "Seal")
	n, _, err := s.DeleteExpired()
	require.NoError(t, err)
	require.Zero(t, n)
	require.Zero(t, s.NextOffset())
	require.NoError(t, s.Close())
	require.ErrorIs(t, s.Close(), shard.ErrClosed)
	require.Equal(t, before, testutil.TreeState(t, dir), "a quarantined shard changed its files")
}
