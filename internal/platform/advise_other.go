//go:build !linux && !darwin

package platform

// AdviseSequential does nothing here: the hint is not available.
func AdviseSequential([]byte) {}

// AdviseRelease does nothing here: the pages stay resident until the mapping is dropped.
func AdviseRelease([]byte) {}
