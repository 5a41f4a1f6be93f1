package index

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/edsrzf/mmap-go"

	"github.com/shardlog/shardlog/internal/atomicfile"
)

// WriteFile writes the index and m to path atomically: it writes path.tmp, syncs it, renames
// it over path and syncs the directory, so a crash leaves either the old file or the new one.
// m must describe the kept entries (see ErrMeta). After Close it returns ErrClosed.
func (x *Index) WriteFile(path string, m Meta) error {
	if x.closed.Load() {
		return ErrClosed
	}
	if m.BaseOffset != x.base {
		return fmt.Errorf("%w: base offset %d, index has %d", ErrMeta, m.BaseOffset, x.base)
	}
	raw := x.entries()
	if err := check(m, raw); err != nil {
		return fmt.Errorf("%w: %s", ErrMeta, err.Reason)
	}
	b := make([]byte, 0, headerSize+len(raw)+crcSize)
	b = appendHeader(b, m, len(raw)/entrySize)
	b = append(b, raw...)
	b = appendCRC(b)
	if err := atomicfile.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("index: write %s: %w", path, err)
	}
	return nil
}

// Open maps an index file read-only and verifies magic, then version, then checksum, then
// that the entries are consistent with its Meta (in range, ordered). Any problem with the
// bytes is a *CorruptionError matching ErrCorrupt; a missing file gives an error matching
// fs.ErrNotExist. Seek and SeekTime binary-search the mapping in place; Close unmaps it.
//
// Index files are only ever replaced by rename (WriteFile), never truncated in place, so a
// mapping cannot lose its pages under a reader.
func Open(path string) (*Index, Meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Meta{}, fmt.Errorf("index: open: %w", err)
	}
	defer f.Close()
	b, mapping, err := readOrMap(f)
	if err != nil {
		return nil, Meta{}, fmt.Errorf("index: open %s: %w", path, err)
	}
	m, raw, err := parseGuarded(b)
	if err != nil {
		if mapping != nil {
			mapping.Unmap()
		}
		if ce, ok := err.(*CorruptionError); ok {
			ce.Path = path
		}
		return nil, Meta{}, err
	}
	x := &Index{base: m.BaseOffset, interval: DefaultIntervalBytes, mapping: mapping}
	x.view.Store(&raw)
	return x, m, nil
}

// parseGuarded runs parse over what may be a mapping. Reading a mapping faults when the file
// was cut short under it or the disk fails to read a page; instead of letting the process
// die of SIGBUS, the fault (and only a fault: other panics go on up) becomes an error
// wrapping ErrFault.
func parseGuarded(b []byte) (m Meta, raw []byte, err error) {
	defer func(old bool) {
		debug.SetPanicOnFault(old)
		v := recover()
		if v == nil {
			return
		}
		f, ok := v.(interface{ Addr() uintptr })
		if !ok {
			panic(v)
		}
		err = fmt.Errorf("%w (address %#x: %v)", ErrFault, f.Addr(), v)
	}(debug.SetPanicOnFault(true))
	return parse(b)
}

// readOrMap maps f, or reads it when it is too small to be a valid index (a mapping of an
// empty file is not possible, and a short file only needs its first bytes for the error).
func readOrMap(f *os.File) ([]byte, mmap.MMap, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if fi.Size() < minFileSize || fi.Size() > maxFileSize {
		b, err := io.ReadAll(io.LimitReader(f, minFileSize))
		if err == nil && fi.Size() > maxFileSize {
			err = corruptf(maxFileSize, "file is %d bytes, longer than the %d-byte maximum", fi.Size(), maxFileSize)
		}
		return b, nil, err
	}
	m, err := mmap.Map(f, mmap.RDONLY, 0)
	if err != nil {
		return nil, nil, err
	}
	return m, m, nil
}
