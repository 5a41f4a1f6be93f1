//go:build !linux && !darwin

package platform

// AdviseSequential does nothing here: the hint is not available.
func AdviseSequential([]byte) {}
