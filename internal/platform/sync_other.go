//go:build !linux && !darwin

package platform

import "os"

// Fdatasync makes f's data durable with File.Sync (fsync(2), or FlushFileBuffers on
// Windows), which also syncs the metadata: slower than fdatasync, never less durable.
func Fdatasync(f *os.File) error {
	return f.Sync()
}
