// Package durable holds the calls that make data durable: Fdatasync and SyncFile for a
// file's bytes, SyncDir for a directory's entries (creates, renames, removals). Every
// durability point of the engine goes through them, so that one place says what is
// durable and when, and so that the power-loss tests can watch each sync (Watch) and work
// out what a crash at that moment would leave on the disk.
//
// A Watcher is a test hook. It is not an option of the packages that sync (segment,
// index, shard, stream, atomicfile) because the syncs sit in leaf helpers reached through
// a dozen exported calls; the package is internal, so only this module's tests can set
// one, and each Watcher looks only at the directory it was made for. With no Watcher the
// cost is one atomic load.
package durable
