package segment

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/shardlog/shardlog/internal/durable"
)

// The system calls the Writer and Scan make, as variables so that tests can inject failures
// such as a full disk.
var (
	fallocate = func(fd int, off, n int64) error {
		return retryEINTR(func() error { return unix.Fallocate(fd, 0, off, n) })
	}
	pwrite    = unix.Pwrite
	fdatasync = durable.Fdatasync
	ftruncate = func(fd int, size int64) error { return retryEINTR(func() error { return unix.Ftruncate(fd, size) }) }
)

func retryEINTR(call func() error) error {
	for {
		if err := call(); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// writeAt writes all of b at pos, continuing after short writes.
func writeAt(fd int, b []byte, pos int64) error {
	for len(b) > 0 {
		n, err := pwrite(fd, b, pos)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("pwrite at %d: wrote 0 of %d bytes", pos, len(b))
		}
		b = b[n:]
		pos += int64(n)
	}
	return nil
}

// adviseSequential tells the kernel that b, a mapping, is about to be read front to back.
// It is only a hint, so its error is ignored.
func adviseSequential(b []byte) {
	if len(b) > 0 {
		_ = unix.Madvise(b, unix.MADV_SEQUENTIAL)
	}
}
