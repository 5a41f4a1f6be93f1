// Package dirlock gives one process at a time a directory: the owner holds an exclusive
// lock on a file named LOCK inside it for as long as it uses the directory, and anyone else
// who asks is refused at once, with the process id of the owner when it can be learned.
//
// # Usage
//
//	if err := os.MkdirAll(dir, 0o755); err != nil { … }
//	l, err := dirlock.Acquire(dir) // before anything else in dir is read or written
//	if errors.Is(err, dirlock.ErrLocked) {
//		// another process (or another Acquire in this one) owns dir; err names it
//	}
//	defer l.Release()
//
// # How the lock works
//
// On Unix the lock is flock(2) on dir/LOCK, taken without waiting. The kernel releases it
// when the last descriptor of the open file goes, so a process that is killed (even with
// SIGKILL) leaves no lock behind, and a leftover LOCK file means nothing by itself: the file
// is never removed, since removing it while others may have it open would let two processes
// lock two different files of that name. The descriptor is opened close-on-exec, so child
// processes do not inherit the lock.
//
// A flock belongs to an open file description, not to a process: two Acquire calls in one
// process open the file twice and exclude each other just as two processes do. (On NFS,
// Linux emulates flock with POSIX record locks, which a process does not take against
// itself; there only other processes are excluded.)
//
// After taking the lock the owner writes its process id into the file, as a hint for the
// message of whoever is refused: reading it needs no lock, and a failure to write it (a full
// disk) does not fail Acquire. The hint can be stale for a moment after a new owner has
// taken the lock, and is left in the file after Release.
//
// # Concurrency
//
// A Lock is owned by one goroutine; Release may be called once. Acquire may be called
// concurrently, and at most one call for a directory succeeds until it is released.
package dirlock
