package platform

import (
	"fmt"
	"os"
)

// zeroChunk is what writeZeros writes, a piece at a time.
var zeroChunk = make([]byte, 1<<20)

// writeZeros writes n zero bytes at off, which reserves the space on every file system.
func writeZeros(f *os.File, off, n int64) error {
	for end := off + n; off < end; {
		k := min(int64(len(zeroChunk)), end-off)
		if _, err := f.WriteAt(zeroChunk[:k], off); err != nil {
			return fmt.Errorf("write zeros at %d: %w", off, err)
		}
		off += k
	}
	return nil
}
