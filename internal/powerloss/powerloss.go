//go:build linux

package powerloss

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/shardlog/shardlog/internal/durable"
)

// entry is a directory entry: the inode it names and whether that is a directory.
type entry struct {
	ino uint64
	dir bool
}

// synced is what one sync made durable, with the number of the snapshot it was read in:
// syncs of one file can return out of order, and the later snapshot must win.
type synced[T any] struct {
	seq uint64
	val T
}

// An Image is the durable state of the data directory after a given sync.
type Image struct {
	Syncs   int                         // syncs completed under the root when it was taken
	root    uint64                      // the root's inode
	files   map[uint64][]byte           // inode → bytes at its last sync
	dirs    map[uint64]map[string]entry // inode → entries at its last sync
	current map[uint64][]byte           // inode → bytes when the image was taken (WithCurrent)
}

// A Recorder watches the syncs under one directory. Its methods are safe for concurrent use.
type Recorder struct {
	root    string
	rootIno uint64
	stop    func()
	after   func(n int)

	mu    sync.Mutex
	seq   uint64
	syncs int
	files map[uint64]synced[[]byte]
	dirs  map[uint64]synced[map[string]entry]
	pins  map[uint64]*os.File
	err   error // the first failure to read what a sync covers
	fail  error // what every sync under the root fails with, if not nil
}

// NewRecorder starts recording the syncs under root, an existing directory. After the n-th
// completed sync under root, after(n) is called, with the Recorder locked: it may call
// ImageLocked to keep the state at that moment, and must not sync. Close stops it.
func NewRecorder(root string, after func(n int)) (*Recorder, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Stat(root, &st); err != nil {
		return nil, fmt.Errorf("powerloss: root %s: %w", root, err)
	}
	r := &Recorder{root: root, rootIno: st.Ino, after: after,
		files: map[uint64]synced[[]byte]{}, dirs: map[uint64]synced[map[string]entry]{},
		pins: map[uint64]*os.File{}}
	r.stop = durable.Watch(r)
	return r, nil
}

// AssumeDurable records everything under the root as it is now as durable, as if every
// file and directory had just been synced: a directory written out from an Image, on which a
// second power loss is to be tested. Call it before anything writes under the root.
func (r *Recorder) AssumeDurable() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return filepath.WalkDir(r.root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var st unix.Stat_t
		if err := unix.Lstat(path, &st); err != nil {
			return err
		}
		f := r.pinLocked(st.Ino, path)
		if f == nil {
			return fmt.Errorf("powerloss: cannot open %s", path)
		}
		switch {
		case d.IsDir():
			entries, err := r.listLocked(path)
			if err != nil {
				return err
			}
			r.dirs[st.Ino] = synced[map[string]entry]{0, entries}
		case d.Type().IsRegular():
			data, err := readAll(f)
			if err != nil {
				return err
			}
			r.files[st.Ino] = synced[[]byte]{0, data}
		}
		return nil
	})
}

// Close stops recording and releases the files it held. It returns the first failure to
// read what a sync covered, if any: the images are then not to be trusted.
func (r *Recorder) Close() error {
	r.stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.pins {
		f.Close()
	}
	r.pins = nil
	return r.err
}

// Syncs returns the number of syncs under the root completed so far.
func (r *Recorder) Syncs() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.syncs
}

// SetFailLocked makes every sync under the root fail with err from now on, without running,
// as after a disk failure (nil: syncs run again). Call it from the after function.
func (r *Recorder) SetFailLocked(err error) { r.fail = err }

// SetFail is SetFailLocked for callers outside the after function.
func (r *Recorder) SetFail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}

// ReadsFiles marks a Recorder as a durable.FileReader: it reads each file before its sync,
// and sees no segment write half done.
func (r *Recorder) ReadsFiles() {}

// Syncing implements durable.Watcher.
func (r *Recorder) Syncing(fd int, dir string) (func(error), error) {
	if dir != "" {
		return r.syncingDir(fd, dir)
	}
	return r.syncingFile(fd)
}

// under reports whether path is the root or inside it.
func (r *Recorder) under(path string) bool {
	return path == r.root || strings.HasPrefix(path, r.root+string(filepath.Separator))
}

func (r *Recorder) syncingFile(fd int) (func(error), error) {
	path, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	if err != nil || !r.under(path) {
		return nil, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return nil, r.fail
	}
	ino, data, err := r.readFileLocked(fd)
	if err != nil {
		r.failed(fmt.Errorf("read %s before its sync: %w", path, err))
		return nil, nil
	}
	r.seq++
	seq := r.seq
	return func(err error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			return
		}
		if old, ok := r.files[ino]; !ok || old.seq < seq {
			r.files[ino] = synced[[]byte]{seq, data}
		}
		r.completedLocked()
	}, nil
}

func (r *Recorder) syncingDir(fd int, dir string) (func(error), error) {
	dir, err := filepath.Abs(dir)
	if err != nil || !r.under(dir) {
		return nil, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return nil, r.fail
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		r.failed(fmt.Errorf("stat %s before its sync: %w", dir, err))
		return nil, nil
	}
	entries, err := r.listLocked(dir)
	if err != nil {
		r.failed(fmt.Errorf("list %s before its sync: %w", dir, err))
		return nil, nil
	}
	r.pinLocked(st.Ino, dir)
	r.seq++
	seq := r.seq
	return func(err error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			return
		}
		if old, ok := r.dirs[st.Ino]; !ok || old.seq < seq {
			r.dirs[st.Ino] = synced[map[string]entry]{seq, entries}
		}
		r.completedLocked()
	}, nil
}

// completedLocked counts a completed sync and calls after.
func (r *Recorder) completedLocked() {
	r.syncs++
	if r.after != nil {
		r.after(r.syncs)
	}
}

func (r *Recorder) failed(err error) {
	if r.err == nil {
		r.err = fmt.Errorf("powerloss: %w", err)
	}
}

// readFileLocked pins the file open as fd and returns its inode and bytes. The file is
// read through a descriptor of its own: fd may be open for writing only.
func (r *Recorder) readFileLocked(fd int) (uint64, []byte, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return 0, nil, err
	}
	f := r.pinLocked(st.Ino, "/proc/self/fd/"+strconv.Itoa(fd))
	if f == nil {
		return 0, nil, fmt.Errorf("cannot reopen inode %d", st.Ino)
	}
	data, err := readAll(f)
	return st.Ino, data, err
}

// pinLocked returns the file held open for inode ino, opening path if there is none yet.
// It returns nil if path cannot be opened or is another inode now.
func (r *Recorder) pinLocked(ino uint64, path string) *os.File {
	if f := r.pins[ino]; f != nil {
		return f
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil || st.Ino != ino {
		f.Close()
		return nil
	}
	r.pins[ino] = f
	return f
}

// listLocked returns the entries of dir, pinning each: regular files and directories only.
func (r *Recorder) listLocked(dir string) (map[string]entry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	entries := make(map[string]entry, len(des))
	for _, de := range des {
		path := filepath.Join(dir, de.Name())
		var st unix.Stat_t
		if err := unix.Lstat(path, &st); err != nil {
			continue // removed since the listing: the sync does not cover it
		}
		isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
		if !isDir && st.Mode&unix.S_IFMT != unix.S_IFREG {
			continue
		}
		if r.pinLocked(st.Ino, path) == nil {
			continue // replaced since the Lstat: the sync covers the newer one, or not
		}
		entries[de.Name()] = entry{ino: st.Ino, dir: isDir}
	}
	return entries, nil
}

// readChunk is the unit readAll reads in: a page, which a write fills in address order.
const readChunk = 4096

// readAll reads the whole file f as it is now, while other goroutines may be appending to
// it. It reads from the end back to the start, a page at a time: a read is not atomic, and
// read front to back it could miss the end of one write and see the next one, written
// after it (a hole no crash leaves). Read back to front, each page is read no earlier than
// the pages after it, so what it shows of appends is a prefix of them, as a crash shows.
func readAll(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	b := make([]byte, fi.Size())
	for end := len(b); end > 0; {
		start := (end - 1) / readChunk * readChunk
		n, err := f.ReadAt(b[start:end], int64(start))
		if err == io.EOF && start+n < end { // cut short meanwhile
			b, err = b[:start+n], nil
		}
		if err != nil {
			return nil, err
		}
		end = start
	}
	return b, nil
}

// ImageLocked returns the durable state now. With withCurrent it also reads every file's
// bytes as they are now, for MaterializeTorn. Call it only from the after function.
func (r *Recorder) ImageLocked(withCurrent bool) *Image {
	img := &Image{Syncs: r.syncs, root: r.rootIno,
		files: make(map[uint64][]byte, len(r.files)), dirs: make(map[uint64]map[string]entry, len(r.dirs))}
	for ino, s := range r.files {
		img.files[ino] = s.val
	}
	for ino, s := range r.dirs {
		img.dirs[ino] = s.val
	}
	if withCurrent {
		img.current = map[uint64][]byte{}
		for ino, f := range r.pins {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				if b, err := readAll(f); err == nil {
					img.current[ino] = b
				} else {
					r.failed(fmt.Errorf("read inode %d at a crash: %w", ino, err))
				}
			}
		}
	}
	return img
}
