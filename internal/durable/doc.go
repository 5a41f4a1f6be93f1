// Package durable holds the calls that make data durable: Fdatasync and SyncFile for a
// file's bytes, SyncDir for a directory's entries (creates, renames, removals). Every
// durability point of the engine goes through them (segment's writes and scans, atomicfile's
// replacements and removals, and every directory sync), so that one place says what is
// durable and when. The system calls themselves differ between systems and live in
// internal/platform (fdatasync on Linux, F_FULLFSYNC on macOS).
//
// # Watching syncs
//
// The power-loss tests watch each sync (Watch) to work out what a crash at that moment would
// leave on the disk, and can fail syncs from a given moment, as a failing disk would. A
// Watcher is a test hook; it is not an option of the packages that sync because the syncs
// sit in leaf helpers reached through a dozen exported calls in four packages (segment,
// index, shard, stream). The package is internal, so only this module's tests can set one;
// a Watcher sees the syncs of the whole process and picks those under its own directory,
// so recorders with different settings run in parallel tests (powerloss's
// TestRecorder_ParallelRoots).
// With no Watcher a sync costs one atomic load more.
//
// A Watcher that reads the files (FileReader) must not see a write half done, which the
// kernel never writes back: the segment writer marks the batch writes it makes beside the
// group commit's syncs (StartWrite, EndWrite), and a FileReader looks only between them.
// With no Watcher a write costs one atomic load more.
//
// # Skipping syncs
//
// Skip turns every sync under a directory into a no-op, for an ephemeral store: a data
// directory that is thrown away with its process (a test server), where a crash loses
// everything anyway. Skipped syncs are not seen by Watchers. With no root skipped, a sync
// costs one more atomic load.
package durable
