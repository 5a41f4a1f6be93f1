// Package index is the sparse index of one segment: one entry every few KiB of segment bytes,
// mapping an offset to the byte position of the batch that holds it, and an arrival time to
// the first batch that may hold records at or after that time.
//
// # Vocabulary
//
// An Entry points at one batch: its first Offset, its byte Position in the segment file, and
// the arrival TimeMs of its first record. The Index keeps the first batch and then one batch
// per interval (4 KiB by default) of segment bytes; Seek and SeekTime return the kept entry to
// start scanning from, and the caller reads batches forward from its Position. Meta sums up
// the segment (base and next offset, end position, first and last arrival time), so a shard
// knows a sealed segment's facts without opening it.
//
// # Usage
//
// A shard builds the index of its active segment as it appends, writes it beside the segment
// when the segment is sealed, and loads it again later:
//
//	x := index.New(base, 0)
//	x.Add(index.Entry{Offset: info.FirstOffset, Position: info.Position, TimeMs: info.FirstTimeMs}) // per batch
//	err := x.WriteFile("00000000000000001000.idx", meta)
//
//	x, meta, rebuilt, err := index.Load(path, base, segmentSize, 0, func(x *index.Index) (index.Meta, error) {
//		// scan the segment, calling x.Add for each batch, and return its Meta
//	})
//	e, ok := x.Seek(offset) // then read batches from e.Position
//
// # A cache, never trusted
//
// The index can always be rebuilt from its segment, so the file is treated as a cache: Open
// verifies magic, version, checksum (CRC-32C), and that every entry lies inside the segment
// its Meta describes and in order; Load rebuilds the index when any of that fails or when the
// file disagrees with the segment's size. A zero-filled or cut-short file never reads as an
// index (some logs read such padding as timestamp 0 and deleted live data).
//
// # Concurrency and durability
//
// Seek, SeekTime, Len, Entry and BaseOffset are safe for concurrent use, also while one
// goroutine calls Add (the shard appends to its active segment's index while readers seek).
// WriteFile may run then too (it writes the entries kept so far). Add must not run
// concurrently with itself. Close must not run concurrently with any other
// method: it unmaps the file that readers would be reading. WriteFile is durable when it
// returns (the file and its directory are synced) and atomic (rename of a temporary file).
package index
