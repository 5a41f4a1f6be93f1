// Package segment stores one append-only file of record batches: the byte layout, a Writer
// that appends batches, a Reader that reads them from a read-only memory mapping, and Scan,
// which verifies a file and repairs a torn tail after a crash.
//
// There are only a few words. A Record is one stored entry: partition key, data and arrival
// time (TimeMs). A batch is the records of one Append, framed with a length and a CRC-32C and
// maybe compressed (Codec). An Offset is a record's dense logical position in its shard; a
// segment holds the records from its header's FirstOffset on, with no gaps. A Position is a
// byte position in the file. The shard above names each segment file by its first offset
// (00000000000000001000.seg) and keeps a sparse index of BatchInfo positions beside it.
//
// The byte layout is drawn at the top of format.go. AppendBatch and DecodeBatch are the pure
// encoding, shared by the Writer, the Reader, Scan and the fuzz targets.
//
// A caller that holds its data in another form (the store gets PutRecords data as base64
// text) builds a batch's records section itself in a Section: Add places a record's key and
// returns the place of its data, which the caller decodes straight into, and
// Writer.AppendSectionAt frames and writes it (an uncompressed batch from the Section's own
// memory). The batch is the one AppendAt frames from the same records, byte for byte.
//
// # Usage
//
//	w, err := segment.Create(path, 0, nowMs, segment.WriterOptions{Codec: segment.CodecS2})
//	info, err := w.Append([]segment.Record{{TimeMs: nowMs, PartitionKey: k, Data: d}})
//	err = w.Sync()  // info's records are now durable
//	err = w.Close() // cuts the preallocated tail
//
//	r, err := segment.OpenReader(path, 0)
//	for pos := int64(segment.HeaderSize); ; {
//		info, recs, err := r.ReadBatch(recs, pos, end) // io.EOF at end
//		pos = info.End()
//	}
//
// After a crash, Scan(path, ScanOptions{Tail: true}) finds the end of the good batches, cuts
// a torn final batch off, and its End and NextOffset reopen the file with OpenWriter.
//
// # Durability
//
// Append writes with pwrite into space reserved ahead with fallocate, so a full disk is an
// error from Append and never a SIGBUS later. A batch is durable once Sync (fdatasync) returns.
// Create syncs the header and the directory before it returns. A failed Sync fails the Writer
// for good. Close cuts the preallocated tail off and syncs.
//
// Recovery tells a torn tail from corruption: when a batch fails its checks and its bytes
// show a write that did not complete (the file ends inside it, or a 512-byte sector of it is
// still zeros; where a valid batch follows, a sector before that batch), a crash or a power
// loss tore it, and Scan with Tail truncates the file there and reports the bytes and the
// whole later batches dropped (written back before the torn one, none of them acknowledged
// as synced). Any other bad batch (a complete batch with a bad CRC, even the last one: it
// was acknowledged once synced), and any batch that does not continue the offsets and times
// of the one before, is a *CorruptionError (errors.Is(err, ErrCorrupt)) naming the file and
// the position. Scan's comment states the rule and its one ambiguity.
//
// # Concurrency
//
// A Writer's Append must not run concurrently with itself; Sync, Size and NextOffset may run
// concurrently with Append. A Reader's ReadBatch is safe for concurrent use, and so is
// ReadBatchInto when each caller has a buffer of its own. Close of either must not run
// concurrently with their other methods. A Reader may map a file that a Writer
// is appending to, as long as reads stay below the Writer's Size. Scan must not run on a file
// that is open for writing.
//
// # Mapped memory
//
// Records of uncompressed batches returned by Reader.ReadBatch are slices of the mapping: no
// copy is made, they are read-only, and they must not be used after the Reader is closed.
// Reads of the mapping inside this package turn a fault (a file cut short under the mapping,
// a failed disk read) into an error wrapping ErrFault; a caller touching the returned slices
// after the file shrank is not protected. Records of compressed batches are decompressed into
// fresh memory, or with ReadBatchInto into a buffer the caller reuses.
//
// A Reader releases the pages its reads have moved past from the process's resident set, a
// chunk of 4 MiB at a time once a read ends 1 MiB beyond it (madvise MADV_DONTNEED): the page
// cache keeps them, and a later read of them, by a reader behind, refaults them with the
// same bytes. So a mapping read front to back keeps a few MiB resident, not the segment, and
// none once the reader calls ReleaseEnd at the end of a sealed segment. Scan does the same.
package segment
