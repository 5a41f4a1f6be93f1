// Package shard is the log of one shard: an ordered set of segments (package segment) and
// their sparse indexes (package index) in one directory, with appends that share fsyncs,
// reads by offset and by arrival time, segment rolls, crash recovery and retention.
//
// # Vocabulary
//
// A Shard holds records at dense, gap-free offsets 0, 1, 2, … Each Append is one batch; the
// shard stamps its records with one arrival time (ms since the Unix epoch) that never goes
// backwards. (WriteSection appends a batch the caller built in a segment.Section.) Records live in segments, files named by their first offset
// (00000000000000001000.seg), each with an index file beside it (…1000.idx). The last
// segment is the active one and takes appends; the others are sealed. The active segment
// rolls (is sealed and a new one started) when it reaches MaxSegmentBytes, when its first
// record is MaxSegmentAge old, or when all its records have expired.
//
// The tip (NextOffset) is the offset after the newest readable record. A record has expired
// once it arrived before now − retention (Expired); the trim horizon (FirstOffset) is the
// oldest unexpired offset. The manifest is the shard's checkpoint file: the segment list with
// each segment's Meta, how far the active segment was durable when it was written, the
// sealed flag, the creation time, and the clean-shutdown flag.
//
// # Usage
//
//	s, err := shard.Open(dir, shard.Options{}) // creates or recovers
//	first, timeMs, err := s.Append([]segment.Record{{PartitionKey: k, Data: d}})
//	next, err := s.Read(first, 1000, 1<<20, func(r segment.Record) error {
//		use(r.Offset, r.TimeMs, r.PartitionKey, r.Data) // copy: the bytes may be mapped memory
//		return nil
//	})
//	off, err := s.OffsetAt(timeMs) // AT_TIMESTAMP
//	n, bytes, err := s.DeleteExpired()
//	err = s.Close()
//
// # Durability
//
// Under SyncAlways (the default) Append returns once its batch is on disk. Appenders take the
// append lock only to stamp the time, assign offsets and write their batch; then they wait
// for a sync that covers it. The first waiter that finds no sync running syncs for everyone
// whose batch is written (group commit), so N concurrent appenders cost about two fdatasyncs,
// not N. Readers see a record only once it is durable, so a crash never takes back a record
// someone has read. Under SyncInterval a background sync runs every SyncInterval after an
// append, and under SyncNone only rolls, checkpoints and Close sync; with both, records are
// readable as soon as Append returns, and a crash may lose the newest acknowledged ones.
//
// Shards that are written together (the shards of a stream, which one PutRecords request
// spreads over) can share a Syncer (Options.Syncer): their syncs then run in rounds, one
// round syncing every shard with a waiter at once, so that a write spread over four shards
// waits for one round instead of four shards' sync cycles at four different phases.
//
// A failed fdatasync is sticky: the kernel may have dropped the dirty pages, so the shard
// refuses appends (ErrSyncFailed) until it is reopened and recovered. A full disk is not a
// failed sync: segment space is reserved with fallocate, so Append fails with ENOSPC, leaves
// the log as it was, and works again once space is back. Open needs no new space either: if
// the checkpoint that recovery writes finds the disk full, Open goes on without it (the
// manifest on disk still describes a prefix of the log), so the records can be read.
//
// A roll syncs only what acknowledged records need: the closed segment, and the header and
// directory entry of the new one. After each roll, and every 16 MiB of appends, a background
// checkpoint syncs the active segment and writes the index files and the manifest; appends
// go on meanwhile. Close writes the same with the clean flag; Discard, for a shard whose
// files Remove is about to delete, writes and syncs nothing. Open after a clean Close reads
// the manifest, lists the directory once and opens only the active segment; after a crash it
// scans the active segment from its last checkpoint (and any segment rolled after it), cuts
// a torn tail, and reports other damage as a *segment.CorruptionError.
// Sealed segments are opened and mapped on first read and closed again when
// MaxMappedSegments is exceeded or they are idle, so an idle shard holds one file descriptor
// (the active writer) and one mapping (the active segment). A mapping keeps resident only the
// pages near where its readers are (segment.Reader releases those they have moved past), so
// the process's resident set does not grow with the data read back.
//
// # Damage
//
// Recovery repairs only what a crash leaves, and says so: each repair is logged through
// Options.Logger with the file it touches, and counted in Stats (RecoveredSegments,
// RecoveredBytes, TornTails, DroppedBytes).
//
//   - A torn tail (a batch of the active segment written in part when the process or the
//     machine stopped: the file ends inside it or a 512-byte sector of it is still zeros) is
//     cut off with everything after it, logged at WARN with the file, the position, the
//     bytes cut and the whole batches after it that reached the disk before it (a power
//     loss during an out-of-order write-back). Under SyncAlways none of it was acknowledged.
//   - A missing or damaged index is rebuilt from its segment; a leftover .tmp file, a segment
//     below the log (deleted by retention as the process stopped) or a segment without a
//     header (created as it stopped) is removed; each is logged.
//
// Everything else is damage, and the shard refuses to open with an error naming the file: a
// complete batch that fails its CRC, even the last one after the checkpoint (it was
// acknowledged once synced; segment.Scan states the rule, etcd's, and its one ambiguity),
// or a bad batch with all its sectors present followed by good ones
// (*segment.CorruptionError with the file and position); a manifest that fails its checks; a segment the manifest lists that is missing
// (ErrMissingSegment; only segments at the front whose records have all expired may be
// gone); and, with Options.MustExist, a missing directory (ErrMissingShard) or manifest
// (ErrMissingManifest), which would otherwise look like a new, empty shard. Damage inside
// a sealed segment is found by the read that reaches it.
//
// A server with many shards need not stop for one damaged shard: Quarantine makes a Shard
// that holds nothing and answers every operation with Open's error (IsDamage tells damage
// from a failure of the system), and leaves the files alone.
//
// Check runs the same recovery steps read-only (no file is created, cut, removed or
// rewritten, and no lock is taken), scans every segment, and returns the error Open would
// fail with, or reports what Open would repair; stream.Check (and so `shardlog inspect check`)
// runs it on every shard of a data directory.
//
// # Retention
//
// Reads never deliver an expired record, even before its segment is deleted. DeleteExpired
// (run by the stream maintenance loop) deletes the leading segments whose newest record has
// expired, after writing the manifest without them; a segment in use by a reader is unmapped
// and unlinked when the reader finishes. On a disk too full for the manifest, the expired
// segments are deleted first, so that retention can always free space. Shortening the
// retention hides older records at once; lengthening it does not bring expired records back.
// The shard's time is the clock's, except that it never goes backwards, so a clock stepped
// back moves neither arrival times nor the trim horizon back.
//
// # Concurrency
//
// All methods of a Shard are safe for concurrent use. Append, Read, DeleteExpired and
// checkpoints run in parallel: a read never waits for a sync, and deletion never waits for
// appends. Close waits for appends in flight; reads in flight finish on their segments.
//
// A reader that has caught up waits for more without polling: Watch returns the tip and a
// channel closed when records past it become readable (under SyncAlways, once they are
// durable), or the shard is sealed or closed; WaitFor wraps it for one offset. The woken
// reader reads the new records from the log with Read. Nobody watching costs an append
// nothing but a nil check.
//
// A shard directory has one owner: one open Shard, in one process. Open takes no lock of its
// own, since a shard lives in a directory its caller owns: package stream locks the data
// directory, and every shard beneath it with it, before it opens any. A lock per shard would
// cost each open shard one more file descriptor and one more file, and guard nothing the
// data directory's lock does not. A program that opens shards in directories of its own must
// make sure no other Shard, in this process or another, opens the same directory meanwhile.
package shard
