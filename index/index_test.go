package index_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/index"
)

// batch describes one batch of a fake segment.
type batch struct {
	offset   uint64
	position int64
	timeMs   int64
}

// mustNew builds an in-memory index over batches. When the test ends it checks the index's
// invariants (entries increasing, none before the base offset) and closes it.
func mustNew(t testing.TB, base uint64, interval int64, batches []batch) *index.Index {
	t.Helper()
	x := index.New(base, interval)
	for _, b := range batches {
		x.Add(index.Entry{Offset: b.offset, Position: b.position, TimeMs: b.timeMs})
	}
	t.Cleanup(func() {
		requireIntact(t, x)
		x.Close()
	})
	return x
}

func requireIntact(t testing.TB, x *index.Index) {
	t.Helper()
	for i := 0; i < x.Len(); i++ {
		e := x.Entry(i)
		if e.Offset < x.BaseOffset() {
			t.Errorf("entry %d %v is before base offset %d", i, e, x.BaseOffset())
		}
		if i == 0 {
			continue
		}
		if p := x.Entry(i - 1); e.Offset <= p.Offset || e.Position <= p.Position || e.TimeMs < p.TimeMs {
			t.Errorf("entry %d %v does not follow entry %d %v", i, e, i-1, p)
		}
	}
}

// seekIndexes returns the index of seekFixture as built in memory and as read back from its
// file, by mode ("memory", "file"), so that a lookup test runs on both.
func seekIndexes(t testing.TB) map[string]*index.Index {
	t.Helper()
	x := mustNew(t, 100, 4096, seekFixture)
	y, _ := mustOpen(t, mustNew(t, 100, 4096, seekFixture), seekFixtureMeta)
	return map[string]*index.Index{"memory": x, "file": y}
}

// mustOpen writes x with m to a new file in t.TempDir, opens it, checks that the opened
// index holds the same entries, and closes it when the test ends.
func mustOpen(t testing.TB, x *index.Index, m index.Meta) (*index.Index, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "00000000000000000000.idx")
	require.NoError(t, x.WriteFile(path, m))
	y, got, err := index.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, y.Close()) })
	require.Equal(t, m, got, "Open meta")
	requireSameEntries(t, x, y)
	return y, path
}

func requireSameEntries(t testing.TB, want, got *index.Index) {
	t.Helper()
	require.Equal(t, want.Len(), got.Len(), "Len")
	for i := 0; i < want.Len(); i++ {
		require.Equal(t, want.Entry(i), got.Entry(i), "Entry(%d)", i)
	}
}

// entries returns all kept entries of x.
func entries(x *index.Index) []index.Entry {
	var es []index.Entry
	for i := 0; i < x.Len(); i++ {
		es = append(es, x.Entry(i))
	}
	return es
}

// seekFixture: base 100, batches at 0, 1000, 5000, 9000, 9100, 20000 with a 4 KiB interval;
// kept: 0 (first), 5000, 9100, 20000. Times 10, 20, 20, 20, 30, 40.
var seekFixture = []batch{
	{offset: 100, position: 0, timeMs: 10},
	{offset: 110, position: 1000, timeMs: 20},
	{offset: 120, position: 5000, timeMs: 20},
	{offset: 130, position: 9000, timeMs: 20},
	{offset: 140, position: 9100, timeMs: 30},
	{offset: 150, position: 20000, timeMs: 40},
}

var seekFixtureMeta = index.Meta{BaseOffset: 100, NextOffset: 160, End: 21000, FirstTimeMs: 10, LastTimeMs: 45}

func TestIndex_Add_Interval(t *testing.T) {
	x := mustNew(t, 100, 4096, seekFixture)
	want := []index.Entry{
		{Offset: 100, Position: 0, TimeMs: 10},
		{Offset: 120, Position: 5000, TimeMs: 20},
		{Offset: 140, Position: 9100, TimeMs: 30},
		{Offset: 150, Position: 20000, TimeMs: 40},
	}
	require.Equal(t, want, entries(x))
}

func TestIndex_Seek(t *testing.T) {
	tests := []struct {
		name   string
		offset uint64
		want   uint64 // Offset of the entry Seek returns
	}{
		{"before base", 0, 100},
		{"base", 100, 100},
		{"inside first", 119, 100},
		{"exact second", 120, 120},
		{"between", 135, 120},
		{"exact", 140, 140},
		{"exact last", 150, 150},
		{"after last", 159, 150},
		{"past next offset", 1 << 40, 150},
		{"max uint64", ^uint64(0), 150},
	}
	for mode, x := range seekIndexes(t) {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				e, ok := x.Seek(tt.offset)
				require.True(t, ok)
				require.Equal(t, tt.want, e.Offset, "Seek(%d).Offset", tt.offset)
			})
		}
	}
}

func TestIndex_SeekTime(t *testing.T) {
	tests := []struct {
		name string
		ms   int64
		want uint64 // Offset of the entry SeekTime returns
	}{
		{"before first", -5, 100},
		{"equal first", 10, 100},
		{"between first and second", 15, 100},
		{"equal repeated time", 20, 100}, // records at 20 may sit in the batch at offset 110
		{"just after repeated time", 21, 120},
		{"equal third", 30, 120},
		{"equal last", 40, 140},
		{"after last", 41, 150},
		{"far future", 1 << 62, 150},
	}
	for mode, x := range seekIndexes(t) {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				e, ok := x.SeekTime(tt.ms)
				require.True(t, ok)
				require.Equal(t, tt.want, e.Offset, "SeekTime(%d).Offset", tt.ms)
			})
		}
	}
}

func TestIndex_Seek_Empty(t *testing.T) {
	x := index.New(7, 0)
	_, ok := x.Seek(7)
	require.False(t, ok, "Seek on an empty index")
	_, ok = x.SeekTime(0)
	require.False(t, ok, "SeekTime on an empty index")
	require.Zero(t, x.Len())

	y, _ := mustOpen(t, x, index.Meta{BaseOffset: 7, NextOffset: 7, End: 64})
	_, ok = y.Seek(7)
	require.False(t, ok, "Seek on an empty opened index")
}

func TestIndex_Add_Panics(t *testing.T) {
	tests := []struct {
		name string
		e    index.Entry
	}{
		{"offset before base", index.Entry{Offset: 99, Position: 20000, TimeMs: 50}},
		{"same offset", index.Entry{Offset: 150, Position: 20001, TimeMs: 50}},
		{"offset backwards", index.Entry{Offset: 149, Position: 20001, TimeMs: 50}},
		{"same position", index.Entry{Offset: 151, Position: 20000, TimeMs: 50}},
		{"time backwards", index.Entry{Offset: 151, Position: 20001, TimeMs: 39}},
		{"negative position", index.Entry{Offset: 151, Position: -1, TimeMs: 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := mustNew(t, 100, 4096, seekFixture)
			require.Panics(t, func() { x.Add(tt.e) }, "Add(%v)", tt.e)
		})
	}
}

func TestIndex_Add_EqualTimes(t *testing.T) {
	x := mustNew(t, 0, 1, nil)
	for i := range 5 {
		x.Add(index.Entry{Offset: uint64(i), Position: int64(i), TimeMs: 7})
	}
	require.Equal(t, 5, x.Len())
}

func TestIndex_Add_Unrepresentable(t *testing.T) {
	x := mustNew(t, 0, 1, []batch{
		{offset: 0, position: 0, timeMs: 1},
		{offset: 10, position: 1<<32 - 1, timeMs: 1},
		{offset: 20, position: 1 << 32, timeMs: 2},          // position too large
		{offset: 1<<32 + 5, position: 1<<32 + 9, timeMs: 3}, // both too large
	})
	require.Equal(t, 2, x.Len(), "entries kept")
	e, ok := x.Seek(1<<32 + 5)
	require.True(t, ok)
	require.Equal(t, uint64(10), e.Offset, "Seek past the representable range")
}

func TestIndex_Close(t *testing.T) {
	x := index.New(0, 0)
	x.Add(index.Entry{Offset: 0, Position: 0, TimeMs: 1})
	require.NoError(t, x.Close())
	require.ErrorIs(t, x.Close(), index.ErrClosed)
	require.Zero(t, x.Len())
	_, ok := x.Seek(0)
	require.False(t, ok, "Seek after Close")
	x.Add(index.Entry{Offset: 1, Position: 1, TimeMs: 1}) // does nothing
	require.Zero(t, x.Len())
	err := x.WriteFile(filepath.Join(t.TempDir(), "x.idx"), index.Meta{NextOffset: 1, End: 1, FirstTimeMs: 1, LastTimeMs: 1})
	require.ErrorIs(t, err, index.ErrClosed)
}

func TestIndex_Entry_OutOfRange(t *testing.T) {
	x := mustNew(t, 100, 4096, seekFixture)
	for _, i := range []int{-1, x.Len()} {
		require.Panics(t, func() { x.Entry(i) }, fmt.Sprintf("Entry(%d)", i))
	}
}

// TestIndex_Add_ConcurrentSeek runs readers against an index while one goroutine adds to
// it, as a shard does with its active segment; run it with -race.
func TestIndex_Add_ConcurrentSeek(t *testing.T) {
	const n = 20000
	x := mustNew(t, 0, 1, nil)
	done := make(chan struct{})
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				k := x.Len()
				if k == 0 {
					continue
				}
				last := x.Entry(k - 1)
				e, ok := x.Seek(^uint64(0))
				if !ok || e.Offset < last.Offset {
					errs <- fmt.Errorf("Seek(max) = %v, %v after Len() = %d with last entry %v", e, ok, k, last)
					return
				}
				if e, _ := x.SeekTime(last.TimeMs); e.Offset > last.Offset {
					errs <- fmt.Errorf("SeekTime(%d) = %v, past the entry with that time %v", last.TimeMs, e, last)
					return
				}
			}
		}()
	}
	for i := range n {
		x.Add(index.Entry{Offset: uint64(2 * i), Position: int64(3 * i), TimeMs: int64(i / 4)})
	}
	close(done)
	for range 2 {
		require.NoError(t, <-errs)
	}
	require.Equal(t, n, x.Len())
}

func TestIndex_Add_OnOpenedPanics(t *testing.T) {
	y, _ := mustOpen(t, mustNew(t, 100, 4096, seekFixture), seekFixtureMeta)
	require.Panics(t, func() { y.Add(index.Entry{Offset: 155, Position: 20500, TimeMs: 41}) })
}
