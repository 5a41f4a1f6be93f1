//go:build !unix

package streambackend_test

import "time"

// processCPU does not know the CPU time here.
func processCPU() (time.Duration, bool) { return 0, false }

// processUserCPU does not know the CPU time here.
func processUserCPU() (time.Duration, bool) { return 0, false }
