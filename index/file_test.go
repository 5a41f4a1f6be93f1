package index_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/index"
)

func TestWriteFile_Open_RoundTrip(t *testing.T) {
	x := mustNew(t, 100, 4096, seekFixture)
	y, path := mustOpen(t, x, seekFixtureMeta)

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, index.Encode(seekFixtureMeta, entries(x)), raw, "file bytes = Encode")
	_, err = os.Stat(path + ".tmp")
	require.ErrorIs(t, err, fs.ErrNotExist, "temporary file left behind")

	// An opened index can be written again, to the same bytes.
	path2 := filepath.Join(t.TempDir(), "again.idx")
	require.NoError(t, y.WriteFile(path2, seekFixtureMeta))
	raw2, err := os.ReadFile(path2)
	require.NoError(t, err)
	require.Equal(t, raw, raw2)
}

func TestWriteFile_BadMeta(t *testing.T) {
	tests := []struct {
		name string
		edit func(m *index.Meta)
	}{
		{"other base offset", func(m *index.Meta) { m.BaseOffset = 99 }},
		{"next offset at last entry", func(m *index.Meta) { m.NextOffset = 150 }},
		{"next offset before base", func(m *index.Meta) { m.NextOffset = 50 }},
		{"end at last position", func(m *index.Meta) { m.End = 20000 }},
		{"negative end", func(m *index.Meta) { m.End = -1 }},
		{"first time after first entry", func(m *index.Meta) { m.FirstTimeMs = 11 }},
		{"last time before last entry", func(m *index.Meta) { m.LastTimeMs = 39 }},
		{"no records but entries", func(m *index.Meta) { m.NextOffset = 100 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := mustNew(t, 100, 4096, seekFixture)
			m := seekFixtureMeta
			tt.edit(&m)
			path := filepath.Join(t.TempDir(), "x.idx")
			err := x.WriteFile(path, m)
			require.ErrorIs(t, err, index.ErrMeta, "WriteFile(%+v)", m)
			_, err = os.Stat(path)
			require.ErrorIs(t, err, fs.ErrNotExist, "file written despite bad meta")
		})
	}
}

func TestOpen_Missing(t *testing.T) {
	_, _, err := index.Open(filepath.Join(t.TempDir(), "missing.idx"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NotErrorIs(t, err, index.ErrCorrupt)
}

func TestOpen_Damaged(t *testing.T) {
	x := mustNew(t, 100, 4096, seekFixture)
	good := index.Encode(seekFixtureMeta, entries(x))
	zeros := make([]byte, len(good))
	padded := append(append([]byte(nil), good...), make([]byte, 4096)...)
	badVersion := append([]byte(nil), good...)
	badVersion[4] = 9
	tests := []struct {
		name   string
		b      []byte
		reason string
	}{
		{"empty", nil, "shorter than the magic"},
		{"zero filled", zeros, "bad magic"},
		{"zero padded", padded, "checksum"},
		{"version", badVersion, "version 9"},
		{"magic only", good[:4], "too short for a version"},
		{"header only", good[:56], "shorter than the 60-byte minimum"},
		{"cut", good[:len(good)-1], "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.idx")
			require.NoError(t, os.WriteFile(path, tt.b, 0o644))
			_, _, err := index.Open(path)
			require.ErrorIs(t, err, index.ErrCorrupt)
			var ce *index.CorruptionError
			require.True(t, errors.As(err, &ce))
			require.Equal(t, path, ce.Path)
			require.Contains(t, ce.Reason, tt.reason)
		})
	}
}

// loadFixture writes nothing; it returns a rebuild func over seekFixture that counts calls.
func loadFixture(calls *int) func(x *index.Index) (index.Meta, error) {
	return func(x *index.Index) (index.Meta, error) {
		*calls++
		for _, b := range seekFixture {
			x.Add(index.Entry{Offset: b.offset, Position: b.position, TimeMs: b.timeMs})
		}
		return seekFixtureMeta, nil
	}
}

func TestLoad(t *testing.T) {
	good := index.Encode(seekFixtureMeta, []index.Entry{{Offset: 100, Position: 0, TimeMs: 10}})
	otherBase := seekFixtureMeta
	otherBase.BaseOffset, otherBase.NextOffset = 90, 160
	otherEnd := seekFixtureMeta
	otherEnd.End = 30000
	tests := []struct {
		name        string
		file        []byte // nil: no file
		wantRebuilt bool
	}{
		{"missing", nil, true},
		{"empty", []byte{}, true},
		{"short", good[:30], true},
		{"corrupt", append(append([]byte(nil), good[:len(good)-1]...), good[len(good)-1]^1), true},
		{"other base offset", index.Encode(otherBase, []index.Entry{{Offset: 100, Position: 0, TimeMs: 10}}), true},
		{"other end", index.Encode(otherEnd, []index.Entry{{Offset: 100, Position: 0, TimeMs: 10}}), true},
		{"good", good, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "00000000000000000100.idx")
			if tt.file != nil {
				require.NoError(t, os.WriteFile(path, tt.file, 0o644))
			}
			calls := 0
			x, m, rebuilt, err := index.Load(path, 100, seekFixtureMeta.End, 4096, loadFixture(&calls))
			require.NoError(t, err)
			t.Cleanup(func() { x.Close() })
			require.Equal(t, tt.wantRebuilt, rebuilt, "rebuilt")
			require.Equal(t, seekFixtureMeta, m)
			if !tt.wantRebuilt {
				require.Zero(t, calls, "rebuild called for a good file")
				require.Equal(t, 1, x.Len())
				return
			}
			require.Equal(t, 1, calls, "rebuild calls")
			require.Equal(t, 4, x.Len())
			// The rebuilt index was saved: loading again does not rebuild.
			y, _, rebuilt, err := index.Load(path, 100, seekFixtureMeta.End, 4096, loadFixture(&calls))
			require.NoError(t, err)
			t.Cleanup(func() { y.Close() })
			require.False(t, rebuilt, "second Load rebuilt")
			require.Equal(t, 1, calls, "rebuild calls after second Load")
			requireSameEntries(t, x, y)
		})
	}
}

func TestLoad_RebuildError(t *testing.T) {
	boom := errors.New("boom")
	_, _, _, err := index.Load(filepath.Join(t.TempDir(), "x.idx"), 0, 10, 0,
		func(*index.Index) (index.Meta, error) { return index.Meta{}, boom })
	require.ErrorIs(t, err, boom)
}

// TestLoad_WriteFails checks that a rebuilt index is returned, usable, with the error when
// it cannot be saved.
func TestLoad_WriteFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-dir", "x.idx")
	calls := 0
	x, m, rebuilt, err := index.Load(path, 100, seekFixtureMeta.End, 4096, loadFixture(&calls))
	require.Error(t, err)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NotNil(t, x, "Load dropped the rebuilt index")
	defer x.Close()
	require.True(t, rebuilt)
	require.Equal(t, seekFixtureMeta, m)
	e, ok := x.Seek(145)
	require.True(t, ok)
	require.Equal(t, uint64(140), e.Offset)
}

// TestWriteFile_RenameFails checks that a failed replace leaves the old state and no
// temporary file: here the target is a non-empty directory, which rename cannot replace.
func TestWriteFile_RenameFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.idx")
	require.NoError(t, os.MkdirAll(filepath.Join(path, "occupied"), 0o755))
	x := mustNew(t, 100, 4096, seekFixture)
	require.Error(t, x.WriteFile(path, seekFixtureMeta))
	_, err := os.Stat(path + ".tmp")
	require.ErrorIs(t, err, fs.ErrNotExist, "temporary file left behind")
}
