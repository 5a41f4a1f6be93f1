//go:build !linux

package platform

import "os"

// Fallocate reserves [off, off+n) in f by writing zeros over it, growing the file if needed:
// a portable call that reserves blocks does not exist, and ftruncate alone leaves a hole
// that a full disk would fail to fill later. A full disk fails it with ENOSPC.
func Fallocate(f *os.File, off, n int64) error {
	return writeZeros(f, off, n)
}

// FallocateWrites says whether Fallocate writes the range (it does: with zeros).
const FallocateWrites = true
