// Package powerloss is the file-system model of the power-loss tests: a Recorder watches
// every sync under a data directory (through package durable) and keeps what a power loss
// would leave there at a given moment, an Image; Materialize writes an Image out as a new
// directory that the store can be opened on. Only tests import it.
//
//	var rec *powerloss.Recorder
//	rec, err := powerloss.NewRecorder(dataDir, func(n int) {
//		if n == crashAt {
//			img, acked = rec.ImageLocked(true), ackedSoFar() // the power goes off here
//		}
//	})
//	// ... run the store in dataDir, then Close it and rec ...
//	err = img.MaterializeTorn(fresh, rng) // or Materialize, MaterializeReordered
//	// ... open the store in fresh: everything in acked must be there
//
// # The model
//
// It is the harshest that POSIX allows. A file holds the bytes it had when it was last
// synced (fdatasync or fsync), or nothing if it never was. A directory holds the entries it
// had when it was last synced, or none, each naming the file or directory it named then; the
// root is the data directory itself, whose own entry is taken as durable. A file's bytes and
// a directory's entries are read just before the sync and recorded once it returns, so
// nothing changed after the sync started counts. A write that runs beside syncs (the segment
// writer's, marked with durable.StartWrite) is read whole or not at all, as the kernel writes
// back a page as a write left it, never half copied; its sectors can still reach the disk in
// part, or out of order, after the sync (the torn write-backs below).
//
// Torn writes: MaterializeTorn adds to each file the sectors (512 bytes) written since its
// last sync up to a random one, as an in-order write-back cut short leaves them;
// MaterializeReordered any subset of them. A sector is written whole or not at all, and
// one not written keeps its old bytes (zeros in preallocated space).
//
// Not modelled: a directory's entries as they were between two syncs (on a journaling file
// system some unsynced creates, renames and removals can survive while others do not), and
// garbage in sectors that were not written.
//
// Files and directories are known by inode. The Recorder keeps every one it has seen open,
// so that a removed file's inode number is not reused for a new one while it runs.
// AssumeDurable takes everything under the root as synced, for a second power loss on a
// directory written out from an Image.
package powerloss
