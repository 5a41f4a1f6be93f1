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
