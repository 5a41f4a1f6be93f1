package platform

import (
	"os"

	"golang.org/x/sys/unix"
)

// Fallocate reserves the blocks of [off, off+n) in f (fallocate(2), mode 0), growing the file
// if needed. A full disk fails it with ENOSPC.
func Fallocate(f *os.File, off, n int64) error {
	fd := int(f.Fd())
	return retryEINTR(func() error { return unix.Fallocate(fd, 0, off, n) })
}

// FallocateWrites says whether Fallocate writes the range (it does not: the blocks are
// reserved as unwritten extents).
const FallocateWrites = false
