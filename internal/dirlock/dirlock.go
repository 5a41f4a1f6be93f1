package dirlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileName is the name of the lock file inside the locked directory.
const FileName = "LOCK"

// maxPIDFileBytes bounds what a refused Acquire reads of the lock file: a process id and a
// newline, with room to spare.
const maxPIDFileBytes = 64

// ErrLocked is matched (errors.Is) by the *LockedError of an Acquire that found the
// directory locked.
var ErrLocked = errors.New("dirlock: directory is locked")

// LockedError is the error of an Acquire refused because the directory is already locked.
type LockedError struct {
	Dir string // the directory asked for
	PID int    // the process that holds the lock, as its lock file says; 0 if unknown
}

func (e *LockedError) Error() string {
	holder := "another process"
	switch {
	case e.PID == os.Getpid():
		holder = "this process (pid " + strconv.Itoa(e.PID) + ")"
	case e.PID > 0:
		holder = "process " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("dirlock: %s is in use by %s, which holds the lock on %s",
		e.Dir, holder, filepath.Join(e.Dir, FileName))
}

// Is reports whether target is ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Lock is a held lock on a directory.
type Lock struct {
	f *os.File
}

// Acquire locks dir, which must exist, creating its lock file if needed. If the lock is
// held, by another process or by an earlier Acquire in this one, it returns a *LockedError
// at once, naming the owner's process id when the lock file tells it, and leaves the
// directory as it was.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("dirlock: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("dirlock: lock %s: %w", path, err)
	}
	if !held {
		f.Close()
		return nil, &LockedError{Dir: dir, PID: readPID(path)}
	}
	writePID(f)
	return &Lock{f: f}, nil
}

// Release unlocks the directory by closing the lock file.
func (l *Lock) Release() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("dirlock: release %s: %w", l.f.Name(), err)
	}
	return nil
}

// writePID replaces the content of the lock file with the process id and a newline. It is a
// hint for refused callers only, so it is written without sync and its errors are ignored:
// writing it in place takes no new space on a full disk unless the file was empty.
func writePID(f *os.File) {
	b := strconv.AppendInt(nil, int64(os.Getpid()), 10)
	b = append(b, '\n')
	if _, err := f.WriteAt(b, 0); err == nil {
		f.Truncate(int64(len(b)))
	}
}

// readPID returns the process id written in the lock file at path, or 0 if it holds none.
// It takes no lock: the owner may be writing it, and a torn read gives 0 or a wrong hint.
func readPID(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	b := make([]byte, maxPIDFileBytes)
	n, _ := f.ReadAt(b, 0)
	line, _, _ := strings.Cut(string(b[:n]), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
