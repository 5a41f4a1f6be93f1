package stream

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shardlog/shardlog/internal/atomicfile"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// A Problem is one thing Check found, with its evidence.
type Problem struct {
	// Damage is true for what a server would refuse to start with, or data it would lose
	// or not serve; false for a note: what a crash leaves and a start repairs, or a file
	// that is not shardlog's.
	Damage bool
	Path   string // the file or directory
	Offset int64  // byte position in Path of damaged bytes, or -1 when none applies
	Reason string // what is wrong, in a sentence that names the numbers that failed
	Err    error  // the error found, if any (a *segment.CorruptionError for damaged bytes)
}

// String returns the problem as one line that names the file, and the position if any.
func (p Problem) String() string {
	if p.Err != nil {
		return p.Err.Error()
	}
	return p.Path + ": " + p.Reason
}

// CheckReport is what Check found in a data directory: what it walked, and every problem.
type CheckReport struct {
	Streams  int    // stream directories checked
	Shards   int    // shard directories checked
	Segments int    // segment files of those shards
	Batches  int    // good batches in them
	Records  uint64 // records from each shard's first offset on disk to its tip
	Bytes    int64  // bytes of those batches and the segment headers
	Problems []Problem
	Scopes   []ScopeDir // the data directories of other accounts and regions, checked too
}

// Damaged returns the number of problems that are damage.
func (r *CheckReport) Damaged() int {
	n := 0
	for _, p := range r.Problems {
		if p.Damage {
			n++
		}
	}
	return n
}

// CheckOptions configure Check. The zero value checks each shard once.
type CheckOptions struct {
	// Retries is how many times a shard that fails its check is checked again, after Pause
	// each time, before the failure counts as damage: on the directory of a running server
	// a write, a roll or a retention pass can make a good shard look damaged for a moment,
	// while damage stays. Default 0.
	Retries int
	// Pause is the wait before each retry. Default 0.
	Pause time.Duration
}

// Check verifies the data directory dataDir as Open would find it, changing nothing: the
// catalog, the iterator key file, every stream directory and every shard (with shard.Check,
// which scans every batch and checks the indexes), orphan stream directories (no catalog
// file), streams of the catalog whose directory is missing, and files that are not
// shardlog's. It takes no lock, so it may run beside a server (see CheckOptions.Retries).
//
// Every problem is in the report; the error is non-nil only when dataDir is not a data
// directory at all.
func Check(dataDir string, opts CheckOptions) (CheckReport, error) {
	if st, err := os.Stat(filepath.Join(dataDir, catalogDirName)); err != nil || !st.IsDir() {
		return CheckReport{}, fmt.Errorf("stream: check: %s is not a shardlog data directory: no catalog directory", dataDir)
	}
	c := &checker{opts: opts}
	c.checkDataDir(dataDir)
	c.checkScopes(dataDir)
	return c.rep, nil
}

// checkDataDir checks the data directory of one account in one region: the root of a data
// directory, or one of its scope directories (scope.go).
func (c *checker) checkDataDir(dataDir string) map[string]StreamInfo {
	c.checkTop(dataDir)
	c.checkSecret(filepath.Join(dataDir, secretName))
	c.checkAccountSettings(dataDir)
	streams, catalogOK := c.checkCatalog(dataDir)
	listed := maps.Clone(streams)
	c.checkStreams(filepath.Join(dataDir, streamsDirName), streams, catalogOK)
	return listed
}

// checker walks a data directory for Check.
type checker struct {
	opts CheckOptions
	rep  CheckReport
}

// bad records damage at path.
func (c *checker) bad(path string, format string, args ...any) {
	c.rep.Problems = append(c.rep.Problems, Problem{Damage: true, Path: path, Offset: -1, Reason: fmt.Sprintf(format, args...)})
}

// note records something unusual at path that is not damage.
func (c *checker) note(path string, format string, args ...any) {
	c.rep.Problems = append(c.rep.Problems, Problem{Path: path, Offset: -1, Reason: fmt.Sprintf(format, args...)})
}

// badErr records an error as damage, with the file and position it names.
func (c *checker) badErr(path string, err error) {
	p := Problem{Damage: true, Path: path, Offset: -1, Reason: err.Error(), Err: err}
	if ce, ok := errors.AsType[*segment.CorruptionError](err); ok {
		p.Path, p.Offset = ce.Path, ce.Offset
	}
	c.rep.Problems = append(c.rep.Problems, p)
}

// checkTop notes the entries of the data directory that are not shardlog's.
func (c *checker) checkTop(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		c.badErr(dir, err)
		return
	}
	for _, e := range entries {
		if !knownDataDirEntries[e.Name()] {
			c.note(filepath.Join(dir, e.Name()), "not a file of shardlog; the server leaves it alone")
		}
	}
}

// checkSecret checks the iterator key file.
func (c *checker) checkSecret(path string) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.note(path, "missing (made on first start; iterators handed out before are void)")
	case err != nil:
		c.badErr(path, err)
	case st.Size() != SecretSize:
		c.bad(path, "%d bytes, want %d", st.Size(), SecretSize)
	}
}

// checkCatalog reads the catalog, changing nothing, and returns its streams by directory
// name; ok is false if the catalog could not be read.
func (c *checker) checkCatalog(dataDir string) (streams map[string]StreamInfo, ok bool) {
	out := map[string]StreamInfo{}
	tmps, _ := filepath.Glob(filepath.Join(dataDir, catalogDirName, "*"+atomicfile.TmpSuffix))
	for _, tmp := range tmps {
		c.note(tmp, "an unfinished replacement (a crash; the old file stands); the server removes it")
	}
	infos, err := ReadCatalog(dataDir)
	if err != nil {
		for _, e := range unjoin(err) {
			c.badErr(filepath.Join(dataDir, catalogDirName), e)
		}
		return out, false
	}
	for _, info := range infos {
		out[StreamDirName(&info)] = info
	}
	return out, true
}

// checkStreams checks every stream directory against the catalog's streams, and reports
// the streams of the catalog that have no directory.
func (c *checker) checkStreams(sdir string, streams map[string]StreamInfo, catalogOK bool) {
	entries, err := os.ReadDir(sdir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.badErr(sdir, err)
	}
	for _, e := range entries {
		path := filepath.Join(sdir, e.Name())
		info, known := streams[e.Name()]
		switch {
		case known:
			c.checkStream(path, &info)
			delete(streams, e.Name())
		case !e.IsDir():
			c.note(path, "not a stream directory; the server leaves it alone")
		case isMarkedDeleted(path):
			c.note(path, "a deleted stream (marked %s); the server removes it when it starts", DeletedMarkerName)
		case !catalogOK:
			c.checkStream(path, nil) // check the data all the same
		case !looksLikeStreamDir(e.Name()):
			c.note(path, "not a stream directory; the server leaves it alone")
		default:
			c.bad(path, "ORPHAN stream directory of %d bytes: the catalog has no file for it (%s/%s%s lost?), so the server keeps it but does not serve it",
				diskUsage(path), catalogDirName, streamOfDir(e.Name()), catalogExt)
			c.checkStream(path, nil)
		}
	}
	for name, info := range streams {
		if len(info.Shards) > 0 {
			c.bad(filepath.Join(sdir, name), "missing: stream %s of the catalog has %d shards; the server refuses to start", info.Name, len(info.Shards))
		}
	}
}

// checkStream checks the shards of a stream; info is its catalog entry, or nil when there
// is none (the catalog could not be read, or the stream is an orphan) and every directory
// is taken for a shard.
func (c *checker) checkStream(dir string, info *StreamInfo) {
	c.rep.Streams++
	entries, err := os.ReadDir(dir)
	if err != nil {
		c.badErr(dir, err)
		return
	}
	if info == nil {
		for _, e := range entries {
			switch {
			case e.IsDir() && e.Name() == QueueStateDirName:
				c.checkQueueStates(filepath.Join(dir, e.Name()), nil)
			case e.IsDir():
				c.checkShard(filepath.Join(dir, e.Name()), shard.Options{})
			}
		}
		return
	}
	known := map[string]bool{QueueStateDirName: true}
	if slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.IsDir() && e.Name() == QueueStateDirName }) {
		c.checkQueueStates(filepath.Join(dir, QueueStateDirName), info)
	}
	for _, sh := range info.Shards {
		known[sh.ID] = true
		c.checkShard(filepath.Join(dir, sh.ID), shard.Options{MustExist: true, Retention: info.Retention()})
	}
	for _, e := range entries {
		if !known[e.Name()] {
			c.note(filepath.Join(dir, e.Name()), "not a shard of the stream; the server leaves it alone")
		}
	}
}

// checkShard checks one shard with shard.Check, the server's own recovery run read-only,
// again after a pause up to Retries times while it fails.
func (c *checker) checkShard(dir string, opts shard.Options) {
	c.rep.Shards++
	rep, err := shard.Check(dir, opts)
	var first error
	for i := 0; err != nil && i < c.opts.Retries; i++ {
		if first == nil {
			first = err
		}
		time.Sleep(c.opts.Pause)
		rep, err = shard.Check(dir, opts)
	}
	if err != nil {
		for _, e := range unjoin(errors.Unwrap(err)) {
			c.badErr(dir, e)
		}
		return
	}
	if first != nil {
		c.note(dir, "changed while it was checked (a running server), and then checked clean: %v", first)
	}
	for _, r := range rep.Repairs {
		path, reason, _ := strings.Cut(r, ": ") // each names its file first
		c.note(path, "%s", reason)
	}
	switch {
	case rep.TornBatches > 0:
		after := "batches"
		if rep.TornBatches == 1 {
			after = "batch"
		}
		c.note(rep.TornFile, "a torn batch and %d whole %s after it, %d bytes (a power loss while unsynced writes "+
			"reached the disk out of order, or writes in progress); the server cuts them off when it starts",
			rep.TornBatches, after, rep.TornBytes)
	case rep.TornBytes > 0:
		c.note(rep.TornFile, "a torn last batch of %d bytes (a write a crash interrupted, or one in progress); the server cuts it off when it starts",
			rep.TornBytes)
	}
	c.rep.Segments += rep.Segments
	c.rep.Batches += rep.Batches
	c.rep.Records += rep.NextOffset - rep.FirstOffset
	c.rep.Bytes += rep.Bytes
}

// unjoin splits an errors.Join error into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// isMarkedDeleted reports whether a stream directory carries the deleted marker.
func isMarkedDeleted(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, DeletedMarkerName))
	return err == nil
}

// looksLikeStreamDir reports whether name has the form <stream>-<incarnation>.
func looksLikeStreamDir(name string) bool {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 {
		return false
	}
	_, err := strconv.ParseInt(name[i+1:], 10, 64)
	return err == nil
}

// streamOfDir returns the stream part of a stream directory's name.
func streamOfDir(dir string) string { return dir[:strings.LastIndexByte(dir, '-')] }
