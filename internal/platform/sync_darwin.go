package platform

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// Fdatasync makes f's data durable with fcntl(F_FULLFSYNC): on macOS fsync(2) leaves the data
// in the drive's cache. A file system that does not support F_FULLFSYNC gets fsync(2).
func Fdatasync(f *os.File) error {
	fd := f.Fd()
	err := retryEINTR(func() error { _, err := unix.FcntlInt(fd, unix.F_FULLFSYNC, 0); return err })
	if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.ENOTTY) || errors.Is(err, unix.EINVAL) {
		return retryEINTR(func() error { return unix.Fsync(int(fd)) })
	}
	return err
}
