package platform

import (
	"os"

	"golang.org/x/sys/unix"
)

// Fdatasync makes f's data durable, with its size, but not the rest of its metadata
// (fdatasync(2)): one journal commit fewer than fsync when only data changed.
func Fdatasync(f *os.File) error {
	fd := int(f.Fd())
	return retryEINTR(func() error { return unix.Fdatasync(fd) })
}
