// Package platform holds the few system calls the engine makes that differ between operating
// systems, one file per system with a portable fallback:
//
//	call              Linux                  macOS                  elsewhere
//	Fdatasync         fdatasync(2)           fcntl F_FULLFSYNC      File.Sync
//	Fallocate         fallocate(2)           writes zeros           writes zeros
//	Pwrite            pwrite(2)              pwrite(2)              File.WriteAt
//	AdviseSequential  madvise(MADV_SEQUENTIAL)  madvise             nothing (a hint)
//	AdviseRelease     madvise(MADV_DONTNEED)    madvise             nothing (a hint)
//
// Fallocate's promise is the one the segment writer relies on: once it returns, writes into
// the range do not fail for want of space, so a full disk is an error from Append and never
// a SIGBUS through a mapping later. Where the system has no call that reserves blocks, the
// fallback writes zeros over the range, which reserves them the only portable way.
//
// On macOS, fsync(2) hands the data to the drive but does not ask the drive to write its
// cache to stable storage; F_FULLFSYNC does, and it is what durability needs there. (The
// standard library's File.Sync already uses it on macOS.)
//
// Every sync of the engine goes through internal/durable, which calls Fdatasync here; the
// other calls are made by segment. The calls retry on EINTR.
package platform
