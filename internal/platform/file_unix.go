//go:build unix

package platform

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// Pwrite writes b at off with one pwrite(2), as io.WriterAt does not promise: it may write
// less than len(b) and return no error (the caller continues), and it retries on EINTR.
func Pwrite(f *os.File, b []byte, off int64) (int, error) {
	for {
		n, err := unix.Pwrite(int(f.Fd()), b, off)
		if !errors.Is(err, unix.EINTR) {
			return n, err
		}
	}
}

func retryEINTR(call func() error) error {
	for {
		if err := call(); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
