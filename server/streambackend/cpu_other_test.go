//go:build !unix

package streambackend_test

import "time"

// processCPU does not know the CPU time here.
func processCPU() (time.Duration, bool) { return 0, false }
