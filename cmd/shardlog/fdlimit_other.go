//go:build !unix

package main

// descriptorLimit reports no limit where the system has no RLIMIT_NOFILE.
func descriptorLimit() (uint64, bool) { return 0, false }
