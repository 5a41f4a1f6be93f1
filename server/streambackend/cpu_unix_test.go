//go:build unix

package streambackend_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time, user and system, the process has used so far: on a
// machine shared with other work it is a steadier figure than elapsed time.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// processUserCPU returns the user CPU time the process has used so far: the part of
// processCPU that the kernel's page-cache work (the first touch of new segment pages,
// which varies a lot on this shared machine) does not move.
func processUserCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano()), true
}
