package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
)

// dataDir is a data directory written by a server that stopped cleanly: stream "orders"
// with one shard holding two batches of three records under one key.
type dataDir struct {
	dir      string
	shardDir string
	seg      string // the shard's only segment
	batch2   int64  // byte position of the second batch
}

func mustDataDir(t *testing.T) dataDir {
	t.Helper()
	srv := serveInProcess(t, "")
	kc := mustCreate(t, srv.Endpoint, "orders", 1)
	putLines(t, kc, "orders", "k", "first", "second", "third")
	putLines(t, kc, "orders", "k", "fourth", "fifth", "sixth")
	srv.Stop()

	segs, err := filepath.Glob(filepath.Join(srv.Dir, "streams", "orders-*", "shardId-000000000000", "*.seg"))
	require.NoError(t, err)
	require.Len(t, segs, 1)
	d := dataDir{dir: srv.Dir, shardDir: filepath.Dir(segs[0]), seg: segs[0]}
	scan, err := segment.Scan(d.seg, segment.ScanOptions{Batch: func(b segment.BatchInfo) {
		if b.FirstOffset == 3 {
			d.batch2 = b.Position
		}
	}})
	require.NoError(t, err)
	require.Equal(t, uint64(6), scan.NextOffset)
	require.NotZero(t, d.batch2)
	return d
}

func TestInspectCheck_Clean(t *testing.T) {
	d := mustDataDir(t)
	code, stdout, stderr := runCmd(nil, "inspect", "check", d.dir)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stdout, "checked 1 streams, 1 shards, 1 segments: 2 batches, 6 records")
	require.Contains(t, stdout, "; ok\n")
	require.NotContains(t, stdout, "DAMAGE")
}

// TestInspectCheck_Damage damages one file of a good data directory in each way, and expects
// check to exit 1 and name the file (and the byte position where there is one).
func TestInspectCheck_Damage(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, d dataDir) (file string)
		want   func(d dataDir) string // a regexp the DAMAGE line must match
	}{
		{"batch-crc", func(t *testing.T, d dataDir) string {
			testutil.FlipByte(t, d.seg, segment.HeaderSize+20) // inside the first batch, with a good one after it
			return d.seg
		}, func(dataDir) string { return `\b28\b` }},
		{"segment-header", func(t *testing.T, d dataDir) string {
			testutil.FlipByte(t, d.seg, 10)
			return d.seg
		}, func(dataDir) string { return `header` }},
		{"second-batch-offsets", func(t *testing.T, d dataDir) string {
			// A batch that is whole and CRC-valid but does not follow the one before it.
			b, err := os.ReadFile(d.seg)
			require.NoError(t, err)
			dup, err := segment.AppendBatch(nil, segment.CodecNone, 100, []segment.Record{{TimeMs: 1 << 42, PartitionKey: []byte("k"), Data: []byte("x")}})
			require.NoError(t, err)
			b = append(b[:d.batch2], dup...)
			require.NoError(t, os.WriteFile(d.seg, b, 0o644))
			return d.seg
		}, func(d dataDir) string { return fmt.Sprintf(`\b%d\b`, d.batch2) }},
		{"catalog", func(t *testing.T, d dataDir) string {
			path := filepath.Join(d.dir, "catalog", "orders.json")
			testutil.FlipByte(t, path, 30)
			return path
		}, func(dataDir) string { return `catalog` }},
		{"manifest", func(t *testing.T, d dataDir) string {
			path := filepath.Join(d.shardDir, "manifest")
			testutil.FlipByte(t, path, 20)
			return path
		}, func(dataDir) string { return `manifest: corrupt at position \d+: checksum` }},
		{"manifest-missing", func(t *testing.T, d dataDir) string {
			path := filepath.Join(d.shardDir, "manifest")
			require.NoError(t, os.Remove(path))
			return path
		}, func(dataDir) string { return `manifest missing` }},
		{"segment-missing", func(t *testing.T, d dataDir) string {
			require.NoError(t, os.Remove(d.seg))
			return d.seg
		}, func(dataDir) string { return `segment file missing` }},
		{"shard-directory-missing", func(t *testing.T, d dataDir) string {
			require.NoError(t, os.RemoveAll(d.shardDir))
			return d.shardDir
		}, func(dataDir) string { return `shard directory missing` }},
		{"last-batch-flipped", func(t *testing.T, d dataDir) string {
			testutil.FlipByte(t, d.seg, d.batch2+30) // the last batch: damage, not a torn tail
			return d.seg
		}, func(d dataDir) string { return fmt.Sprintf(`\b%d\b`, d.batch2) }},
		{"catalog-file-missing", func(t *testing.T, d dataDir) string {
			require.NoError(t, os.Remove(filepath.Join(d.dir, "catalog", "orders.json")))
			return filepath.Dir(d.shardDir)
		}, func(dataDir) string { return `ORPHAN stream directory of [1-9]\d* bytes.*catalog/orders.json` }},
		{"secret", func(t *testing.T, d dataDir) string {
			path := filepath.Join(d.dir, "secret")
			require.NoError(t, os.WriteFile(path, []byte("short"), 0o600))
			return path
		}, func(dataDir) string { return `5 bytes, want 32` }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustDataDir(t)
			file := tt.damage(t, d)
			before := testutil.TreeState(t, d.dir)
			code, stdout, stderr := runCmd(nil, "inspect", "check", d.dir)
			require.Equal(t, before, testutil.TreeState(t, d.dir), "check must change nothing")
			require.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			var damage []string
			for _, l := range lines(stdout) {
				if strings.HasPrefix(l, "DAMAGE") {
					damage = append(damage, l)
				}
			}
			require.NotEmpty(t, damage, stdout)
			named := false
			for _, l := range damage {
				if strings.Contains(l, file) {
					named = true
					require.Regexp(t, regexp.MustCompile(tt.want(d)), l)
				}
			}
			require.True(t, named, "no DAMAGE line names %s:\n%s", file, stdout)
			require.Regexp(t, `\d+ damaged\n$`, stdout)
			require.NotContains(t, stdout, "segment "+filepath.Join(d.shardDir, "manifest"), "the manifest called a segment")
		})
	}
}

// TestInspectCheck_TornTail leaves the first 30 bytes of a batch after the last one, as a
// crash in the middle of a write does: a note, not damage, since the server cuts it off
// when it starts. Nothing in the directory changes.
func TestInspectCheck_TornTail(t *testing.T) {
	d := mustDataDir(t)
	b, err := segment.AppendBatch(nil, segment.CodecNone, 6, []segment.Record{{TimeMs: 1 << 42, PartitionKey: []byte("k"), Data: []byte("a record cut short")}})
	require.NoError(t, err)
	f, err := os.OpenFile(d.seg, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write(b[:30])
	require.NoError(t, err)
	require.NoError(t, f.Close())
	before := testutil.TreeState(t, d.dir)

	code, stdout, stderr := runCmd(nil, "inspect", "check", d.dir)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stdout, fmt.Sprintf("torn last batch of %d bytes", len(bytes.TrimRight(b[:30], "\x00"))))
	require.Contains(t, stdout, "6 records")
	require.Equal(t, before, testutil.TreeState(t, d.dir), "check must change nothing")
}

// TestInspectCheck_TornBatchWithWholeBatchAfter leaves, after the last batch, a batch with
// one sector still zeros and a whole batch after it, as a power loss leaves unsynced writes
// that reached the disk out of order: a note, not damage, since the server cuts both off
// when it starts. Nothing in the directory changes.
func TestInspectCheck_TornBatchWithWholeBatchAfter(t *testing.T) {
	d := mustDataDir(t)
	fi, err := os.Stat(d.seg)
	require.NoError(t, err)
	pos := fi.Size()
	torn, err := segment.AppendBatch(nil, segment.CodecNone, 6, []segment.Record{{TimeMs: 1 << 42, PartitionKey: []byte("k"),
		Data: bytes.Repeat([]byte("torn "), 400)}})
	require.NoError(t, err)
	whole, err := segment.AppendBatch(nil, segment.CodecNone, 7, []segment.Record{{TimeMs: 1 << 42, PartitionKey: []byte("k"),
		Data: []byte("written back before the batch before it")}})
	require.NoError(t, err)
	sector := (pos/512+1)*512 - pos // the first whole sector inside the torn batch
	clear(torn[sector : sector+512])
	f, err := os.OpenFile(d.seg, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write(append(torn, whole...))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	before := testutil.TreeState(t, d.dir)

	code, stdout, stderr := runCmd(nil, "inspect", "check", d.dir)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stdout, fmt.Sprintf("%s: a torn batch and 1 whole batch after it, %d bytes", d.seg, len(torn)+len(whole)))
	require.Contains(t, stdout, "6 records")
	require.Equal(t, before, testutil.TreeState(t, d.dir), "check must change nothing")
}

// TestInspectCheck_Repairs: what the server repairs by itself (a damaged index, rebuilt;
// a leftover temporary file) and what it leaves alone (files that are not its own, a
// deleted stream's marked directory, which it removes) are notes; check exits 0 and
// changes nothing.
func TestInspectCheck_Repairs(t *testing.T) {
	d := mustDataDir(t)
	idx := strings.TrimSuffix(d.seg, ".seg") + ".idx"
	testutil.FlipByte(t, idx, 12)
	require.NoError(t, os.WriteFile(filepath.Join(d.dir, "catalog", "orders.json.tmp"), []byte("{"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(d.dir, "notes.txt"), []byte("mine"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(d.dir, "streams", "backup.tar"), []byte("mine"), 0o644))
	gone := filepath.Join(d.dir, "streams", "gone-17")
	require.NoError(t, os.MkdirAll(gone, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(gone, "DELETED"), nil, 0o644))
	before := testutil.TreeState(t, d.dir)

	code, stdout, stderr := runCmd(nil, "inspect", "check", d.dir)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.NotContains(t, stdout, "DAMAGE")
	for _, p := range []string{idx, "orders.json.tmp", "notes.txt", "backup.tar", gone} {
		require.Regexp(t, `(?m)^note .*`+regexp.QuoteMeta(p), stdout)
	}
	require.Equal(t, before, testutil.TreeState(t, d.dir), "check must change nothing")
}

func TestInspectCheck_NotADataDir(t *testing.T) {
	code, _, stderr := runCmd(nil, "inspect", "check", t.TempDir())
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "not a shardlog data directory")
}

func TestInspectDump(t *testing.T) {
	d := mustDataDir(t)
	code, stdout, stderr := runCmd(nil, "inspect", "dump", d.seg)
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `segment .*00000000000000000000.seg: format 1, first offset 0`, stdout)
	require.Contains(t, stdout, "batch at byte 28")
	require.Contains(t, stdout, "offsets 0 to 2 (3 records)")
	require.Contains(t, stdout, fmt.Sprintf("batch at byte %d", d.batch2))
	require.Contains(t, stdout, "offsets 3 to 5 (3 records)")
	require.Regexp(t, `\n  0  \S+  key "k"  5 bytes  "first"\n`, stdout)
	require.Regexp(t, `\n  5  \S+  key "k"  5 bytes  "sixth"\n`, stdout)
	require.Contains(t, stdout, "2 batches, 6 records, next offset 6")

	code, stdout, _ = runCmd(nil, "inspect", "dump", "--records=false", d.seg)
	require.Equal(t, 0, code)
	require.NotContains(t, stdout, `"first"`)

	code, stdout, _ = runCmd(nil, "inspect", "dump", "--data", "2", d.seg)
	require.Equal(t, 0, code)
	require.Contains(t, stdout, `"fi"…`)

	code, stdout, stderr = runCmd(nil, "inspect", "dump", strings.TrimSuffix(d.seg, ".seg")+".idx")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "segment offsets 0 to 6")
	require.Contains(t, stdout, "offset 0 at byte 28")
}

func TestInspectDump_Damaged(t *testing.T) {
	d := mustDataDir(t)
	testutil.FlipByte(t, d.seg, d.batch2+20)
	testutil.FlipByte(t, d.seg, segment.HeaderSize+20)
	code, stdout, stderr := runCmd(nil, "inspect", "dump", d.seg)
	require.Equal(t, 1, code)
	require.Contains(t, stdout, "end at byte 28: 0 batches")
	require.Contains(t, stdout, "DAMAGE")
	require.Contains(t, stderr, d.seg)
}

func TestInspect_Usage(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"inspect"}, 2},
		{[]string{"inspect", "nope"}, 2},
		{[]string{"inspect", "dump"}, 2},
		{[]string{"inspect", "check"}, 2},
		{[]string{"inspect", "help"}, 0},
		{[]string{"inspect", "dump", "/does/not/exist.seg"}, 1},
	}
	for _, tt := range tests {
		code, _, _ := runCmd(nil, tt.args...)
		require.Equal(t, tt.code, code, "shardlog %s", strings.Join(tt.args, " "))
	}
}
