//go:build !unix

package platform

import "os"

// Pwrite writes b at off. It may write less than len(b) only with an error.
func Pwrite(f *os.File, b []byte, off int64) (int, error) {
	return f.WriteAt(b, off)
}
