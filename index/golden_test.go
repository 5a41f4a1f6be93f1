package index_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/index"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenMeta and goldenEntries are the contents of testdata/v1.idx. Every version's golden
// file stays in testdata so that we keep reading the files older releases wrote.
var (
	goldenMeta = index.Meta{
		BaseOffset:  1_000_000,
		NextOffset:  1_000_500,
		End:         13_000,
		FirstTimeMs: 1_767_225_600_000, // 2026-01-01T00:00:00Z
		LastTimeMs:  1_767_225_600_250,
	}
	goldenEntries = []index.Entry{
		{Offset: 1_000_000, Position: 64, TimeMs: 1_767_225_600_000},
		{Offset: 1_000_100, Position: 4_200, TimeMs: 1_767_225_600_000},
		{Offset: 1_000_250, Position: 8_400, TimeMs: 1_767_225_600_100},
		{Offset: 1_000_400, Position: 12_600, TimeMs: 1_767_225_600_200},
	}
)

func TestGolden_V1(t *testing.T) {
	path := filepath.Join("testdata", "v1.idx")
	want := index.Encode(goldenMeta, goldenEntries)
	if *update {
		require.NoError(t, os.WriteFile(path, want, 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, want, got, "Encode output differs from %s (rerun with -update if the change is intended, and keep the old file)", path)

	x, m, err := index.Open(path)
	require.NoError(t, err)
	defer x.Close()
	require.Equal(t, goldenMeta, m)
	require.Equal(t, goldenEntries, entries(x))
}
