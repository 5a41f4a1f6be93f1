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

// AdviseRelease drops the pages of b, a shared read-only file mapping, from the process's
// resident set (madvise MADV_DONTNEED). The page cache keeps them: a later read of b refaults
// them from it, with the file's bytes, so readers of b see no change but the fault. b must
// start on a page boundary. It is only a hint, so its error is ignored.
func AdviseRelease(b []byte) {
	if len(b) > 0 {
		_ = unix.Madvise(b, unix.MADV_DONTNEED)
	}
}
