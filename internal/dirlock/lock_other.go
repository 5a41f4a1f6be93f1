//go:build !unix

package dirlock

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// tryLock fails: locking is implemented for Unix only, and a directory that cannot be
// locked is not opened rather than opened unprotected.
func tryLock(*os.File) (bool, error) {
	return false, fmt.Errorf("locking a directory on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
