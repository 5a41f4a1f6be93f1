package testutil

import (
	"os"
	"testing"
)

// FlipByte inverts the bits of the byte at pos of the file at path, in place, as bit rot
// would. A pos beyond the end fails the test.
func FlipByte(t testing.TB, path string, pos int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, pos); err != nil {
		t.Fatalf("FlipByte(%s, %d): %v", path, pos, err)
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b, pos); err != nil {
		t.Fatalf("FlipByte(%s, %d): %v", path, pos, err)
	}
}
