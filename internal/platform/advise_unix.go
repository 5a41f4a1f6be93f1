//go:build linux || darwin

package platform

import "golang.org/x/sys/unix"

// AdviseSequential tells the kernel that b, a mapping, is about to be read front to back.
// It is only a hint, so its error is ignored.
func AdviseSequential(b []byte) {
	if len(b) > 0 {
		_ = unix.Madvise(b, unix.MADV_SEQUENTIAL)
	}
}
