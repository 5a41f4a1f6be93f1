//go:build !unix

package segment_test

import "os"

// allocatedBytes does not know the allocated size here.
func allocatedBytes(os.FileInfo) (int64, bool) { return 0, false }
