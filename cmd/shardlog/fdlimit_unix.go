//go:build unix

package main

import "syscall"

// descriptorLimit returns the process's soft limit on open descriptors (RLIMIT_NOFILE),
// which the Go runtime raises to the hard limit at start-up.
func descriptorLimit() (uint64, bool) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, false
	}
	return uint64(r.Cur), true
}
