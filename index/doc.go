// Package index is the sparse index of one segment: one entry every few KiB of segment bytes,
// mapping an offset to the byte position of the batch that holds it, and an arrival time to
// the first batch that may hold records at or after that time.
//
// # Vocabulary
//
// An Entry points at one batch: its first Offset, its byte Position in the segment file, and
// the arrival TimeMs of its first record. An Index keeps the first batch and then one batch
// per interval (DefaultIntervalBytes, 4 KiB) of segment bytes; Seek and SeekTime return the
// kept entry to start from, and the caller reads batches forward from its Position, passing
// less than one interval of bytes before the batch it wants. Meta sums up the segment (base
// and next offset, end position, first and last arrival time), so a shard knows a sealed
// segment's facts without opening it. The index file sits beside its segment and is named
// the same way: 00000000000000001000.idx next to 00000000000000001000.seg.
//
// # Usage
//
// A shard builds the index of its active segment as it appends, writes it when the segment
// is sealed, and loads it when the segment is next read:
//
//	x := index.New(1000, 0)
//	x.Add(index.Entry{Offset: info.FirstOffset, Position: info.Position, TimeMs: info.FirstTimeMs}) // every batch
//	err := x.WriteFile(dir+"/00000000000000001000.idx", meta)
//
//	x, meta, rebuilt, err := index.Load(path, 1000, segmentSize, 0, func(x *index.Index) (index.Meta, error) {
//		// scan the segment (segment.Scan), calling x.Add for each batch; return its Meta
//	})
//	e, ok := x.Seek(offset) // then read batches from e.Position
//	err = x.Close()
//
// An Index from New lives in memory; one from Open (or from Load, when the file was good) maps
// its file read-only, and Add on it panics. Both keep their entries in the file's encoding, so
// Seek and SeekTime are the same allocation-free binary search over either.
//
// # A cache, never trusted
//
// The index can always be rebuilt from its segment, so the file is treated as a cache: Open
// verifies magic, version, checksum (CRC-32C), and that every entry lies inside the segment
// its Meta describes and in order; Load rebuilds the index when any of that fails or when the
// file disagrees with the segment's size. A zero-filled or cut-short file never reads as an
// index (some logs read such padding as timestamp 0 and deleted live data). Encode and Decode
// are the pure byte encoding, for tests and the fuzz target.
//
// # Concurrency and durability
//
// Seek, SeekTime, Len, Entry and BaseOffset are safe for concurrent use, also while one
// goroutine calls Add (a shard adds to its active segment's index while readers seek), and so
// is WriteFile, which writes the entries kept so far. Add must not run concurrently with
// itself. Close must not run concurrently with any other method: it unmaps the file that
// readers would be reading. WriteFile is atomic (a temporary file renamed over the old one)
// and durable when it returns (the file and its directory are synced). Index files are only
// ever replaced by rename, never rewritten in place, so a mapping never loses its pages.
package index
