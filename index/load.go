package index

import "fmt"

// Load opens path and checks that its Meta has BaseOffset == baseOffset and End ==
// segmentSize. If the file is missing, short, corrupt, disagrees, or cannot be opened for any
// other reason, Load builds a fresh index: it calls rebuild with New(baseOffset,
// intervalBytes) (rebuild scans the segment, calls x.Add per batch, and returns the segment's
// Meta), writes it with WriteFile, and returns it with rebuilt = true.
//
// If only writing the rebuilt index fails, Load returns the rebuilt in-memory index, its Meta
// and rebuilt = true together with the error: the index is usable, it just was not saved.
func Load(path string, baseOffset uint64, segmentSize int64, intervalBytes int64,
	rebuild func(x *Index) (Meta, error)) (x *Index, m Meta, rebuilt bool, err error) {
	x, m, err = Open(path)
	if err == nil {
		if m.BaseOffset == baseOffset && m.End == segmentSize {
			return x, m, false, nil
		}
		x.Close()
	}
	x = New(baseOffset, intervalBytes)
	m, err = rebuild(x)
	if err != nil {
		return nil, Meta{}, false, fmt.Errorf("index: rebuild %s: %w", path, err)
	}
	if err := x.WriteFile(path, m); err != nil {
		return x, m, true, err
	}
	return x, m, true, nil
}
