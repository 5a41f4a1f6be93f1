package platform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFallocate_Reserves checks both the system's call and the portable fallback: each grows
// the file over the range, which reads as zeros, and leaves what was before it alone.
func TestFallocate_Reserves(t *testing.T) {
	tests := []struct {
		name string
		call func(f *os.File, off, n int64) error
	}{
		{"Fallocate", Fallocate},
		{"writeZeros", writeZeros},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Create(filepath.Join(t.TempDir(), "f"))
			require.NoError(t, err)
			defer f.Close()
			_, err = Pwrite(f, []byte("head"), 0)
			require.NoError(t, err)
			const n = 3<<20 + 5 // more than one chunk of zeros, and not a multiple of it
			require.NoError(t, tt.call(f, 4, n))
			got, err := os.ReadFile(f.Name())
			require.NoError(t, err)
			require.Len(t, got, 4+n, "file size after %s(4, %d)", tt.name, n)
			require.Equal(t, "head", string(got[:4]))
			for i, b := range got[4:] {
				if b != 0 {
					t.Fatalf("byte %d = %#x after %s, want 0", 4+i, b, tt.name)
				}
			}
			require.NoError(t, Fdatasync(f))
		})
	}
}

func TestFdatasync_ClosedFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Error(t, Fdatasync(f), "Fdatasync of a closed file")
}
