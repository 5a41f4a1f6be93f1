package segment

import (
	"fmt"
	"os"

	"github.com/shardlog/shardlog/internal/durable"
	"github.com/shardlog/shardlog/internal/platform"
)

// fileCalls are the system calls a Writer makes on its file. Tests put fakes in
// WriterOptions.calls to inject failures such as a full disk; otherwise osCalls are used.
type fileCalls struct {
	fallocate func(f *os.File, off, n int64) error
	pwrite    func(f *os.File, b []byte, off int64) (int, error)
	fdatasync func(f *os.File) error
	ftruncate func(f *os.File, size int64) error
}

// osCalls are the real calls, from internal/platform (one file per operating system) and,
// for syncs, internal/durable.
var osCalls = fileCalls{
	fallocate: platform.Fallocate,
	pwrite:    platform.Pwrite,
	fdatasync: durable.Fdatasync,
	ftruncate: (*os.File).Truncate,
}

// writeAt writes all of b at pos, continuing after short writes.
func (c *fileCalls) writeAt(f *os.File, b []byte, pos int64) error {
	for len(b) > 0 {
		n, err := c.pwrite(f, b, pos)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("pwrite at %d: wrote 0 of %d bytes", pos, len(b))
		}
		b = b[n:]
		pos += int64(n)
	}
	return nil
}
