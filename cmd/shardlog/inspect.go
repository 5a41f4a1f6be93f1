package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

const inspectUsage = `Usage:
  shardlog inspect dump [flags] FILE   print a segment (.seg) batch by batch and record by
                                       record with offsets, or an index (.idx) entry by entry
  shardlog inspect check DIR           verify a data directory as the server would open it:
                                       catalog, shard manifests, every batch's CRC and
                                       offsets, indexes; list orphan streams and unknown
                                       files; exit 1 on damage or on anything acknowledged
                                       that the server would not serve, naming the file and
                                       byte position

Both only read: files are opened read-only, nothing is repaired, cut, rebuilt or
removed, and the data directory's lock is not taken, so they may run beside a
running server (a write in progress is reported as a note, not as damage).
`

func runInspect(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, inspectUsage)
		return 2
	}
	switch args[0] {
	case "dump":
		return runDump(args[1:], stdout, stderr)
	case "check":
		return runCheck(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, inspectUsage)
		return 0
	}
	fmt.Fprintf(stderr, "shardlog inspect: unknown command %q\n\n%s", args[0], inspectUsage)
	return 2
}

// dumpConfig is what `shardlog inspect dump` can be told.
type dumpConfig struct {
	records   bool
	dataBytes int
}

func runDump(args []string, stdout, stderr io.Writer) int {
	var cfg dumpConfig
	fs := flag.NewFlagSet("inspect dump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&cfg.records, "records", true, "print every record, not only the batches")
	fs.IntVar(&cfg.dataBytes, "data", 32, "bytes of each record's data to show (0: none, -1: all)")
	fs.Usage = func() { fmt.Fprint(stderr, inspectUsage, "\nFlags of dump:\n"); fs.PrintDefaults() }
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "shardlog inspect dump: want one file")
		return 2
	}
	path := fs.Arg(0)
	var err error
	switch filepath.Ext(path) {
	case ".idx":
		err = dumpIndex(path, stdout)
	default:
		err = dumpSegment(path, cfg, stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "shardlog inspect dump:", err)
		return 1
	}
	return 0
}

// dumpSegment prints a segment's header, batches and records. It reads up to the end of the
// good batches that a Scan finds; damage is printed where it starts and returned.
func dumpSegment(path string, cfg dumpConfig, w io.Writer) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	scan, scanErr := segment.Scan(path, segment.ScanOptions{})
	end := scan.End
	var corrupt *segment.CorruptionError
	switch {
	case errors.As(scanErr, &corrupt):
		end = corrupt.Offset
	case scanErr != nil:
		return scanErr
	}
	r, err := segment.OpenReader(path, 0)
	if err != nil {
		return err
	}
	defer r.Close()
	h := r.Header()
	fmt.Fprintf(w, "segment %s: format %d, first offset %d, created %s, %d bytes on disk\n",
		path, h.Version, h.FirstOffset, formatMs(h.CreatedMs), st.Size())
	var recs []segment.Record
	batches, records := 0, 0
	for pos := int64(segment.HeaderSize); pos < end; {
		info, rs, err := r.ReadBatch(recs, pos, end)
		if err != nil {
			return err
		}
		recs = rs
		batches++
		records += info.Count
		printBatch(w, info, recs, cfg)
		pos = info.End()
	}
	fmt.Fprintf(w, "end at byte %d: %d batches, %d records, next offset %d; %d bytes after it\n",
		end, batches, records, h.FirstOffset+uint64(records), st.Size()-end)
	if scanErr != nil {
		fmt.Fprintf(w, "DAMAGE: %v\n", scanErr)
	}
	return scanErr
}

func printBatch(w io.Writer, info segment.BatchInfo, recs []segment.Record, cfg dumpConfig) {
	fmt.Fprintf(w, "batch at byte %d, %d bytes, codec %s: offsets %d to %d (%d records), arrived %s to %s\n",
		info.Position, info.Size, info.Codec, info.FirstOffset, info.NextOffset()-1, info.Count,
		formatMs(info.FirstTimeMs), formatMs(info.LastTimeMs))
	if !cfg.records {
		return
	}
	for _, r := range recs {
		fmt.Fprintf(w, "  %d  %s  key %q  %d bytes", r.Offset, formatMs(r.TimeMs), r.PartitionKey, len(r.Data))
		if cfg.dataBytes != 0 {
			shown := r.Data
			if cfg.dataBytes > 0 && len(shown) > cfg.dataBytes {
				shown = shown[:cfg.dataBytes]
			}
			fmt.Fprintf(w, "  %q", shown)
			if len(shown) < len(r.Data) {
				fmt.Fprint(w, "…")
			}
		}
		fmt.Fprintln(w)
	}
}

// dumpIndex prints an index file's summary and entries.
func dumpIndex(path string, w io.Writer) error {
	x, m, err := index.Open(path)
	if err != nil {
		return err
	}
	defer x.Close()
	fmt.Fprintf(w, "index %s: segment offsets %d to %d, ends at byte %d, arrived %s to %s, %d entries\n",
		path, m.BaseOffset, m.NextOffset, m.End, formatMs(m.FirstTimeMs), formatMs(m.LastTimeMs), x.Len())
	for i := range x.Len() {
		e := x.Entry(i)
		fmt.Fprintf(w, "  offset %d at byte %d, arrived %s\n", e.Offset, e.Position, formatMs(e.TimeMs))
	}
	return nil
}

func formatMs(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// checker verifies a data directory and counts what it finds.
type checker struct {
	w        io.Writer
	damage   int
	notes    int
	streams  int
	shards   int
	segments int
	batches  int
	records  uint64
	bytes    int64

	// retries and pause say how often a shard that fails its check is checked again, and
	// after how long, before the failure counts as damage: on a live directory a write, a
	// roll or a retention pass may race with the check.
	retries int
	pause   time.Duration
}

// bad reports damage: something a server would refuse to start with, or data lost.
func (c *checker) bad(format string, args ...any) {
	c.damage++
	fmt.Fprintf(c.w, "DAMAGE %s\n", fmt.Sprintf(format, args...))
}

// note reports something unusual that is not damage: what a crash leaves and a start repairs.
func (c *checker) note(format string, args ...any) {
	c.notes++
	fmt.Fprintf(c.w, "note   %s\n", fmt.Sprintf(format, args...))
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, inspectUsage) }
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "shardlog inspect check: want one data directory")
		return 2
	}
	c := &checker{w: stdout, retries: 3, pause: 200 * time.Millisecond}
	if err := c.checkDir(fs.Arg(0)); err != nil {
		fmt.Fprintln(stderr, "shardlog inspect check:", err)
		return 2
	}
	verdict := "ok"
	if c.damage > 0 {
		verdict = fmt.Sprintf("%d damaged", c.damage)
	}
	fmt.Fprintf(stdout, "checked %d streams, %d shards, %d segments: %d batches, %d records, %d bytes; %d notes; %s\n",
		c.streams, c.shards, c.segments, c.batches, c.records, c.bytes, c.notes, verdict)
	if c.damage > 0 {
		return 1
	}
	return 0
}

// Names in a data directory, as package stream lays it out.
const (
	catalogDir = "catalog"
	streamsDir = "streams"
	secretFile = "secret"
	lockFile   = "LOCK"
)

// checkDir checks a data directory. It returns an error only when dir is not one.
func (c *checker) checkDir(dir string) error {
	if st, err := os.Stat(filepath.Join(dir, catalogDir)); err != nil || !st.IsDir() {
		return fmt.Errorf("%s is not a shardlog data directory: no catalog directory", dir)
	}
	c.checkTop(dir)
	c.checkSecret(filepath.Join(dir, secretFile))
	streams, catalogOK := c.checkCatalog(dir)
	sdir := filepath.Join(dir, streamsDir)
	entries, err := os.ReadDir(sdir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.bad("%s: %v", sdir, err)
	}
	for _, e := range entries {
		path := filepath.Join(sdir, e.Name())
		info, known := streams[e.Name()]
		switch {
		case known:
			c.checkStream(path, &info)
			delete(streams, e.Name())
		case !e.IsDir():
			c.note("%s: not a stream directory; the server leaves it alone", path)
		case isMarkedDeleted(path):
			c.note("%s: a deleted stream (marked %s); the server removes it when it starts", path, stream.DeletedMarkerName)
		case !catalogOK:
			c.checkStream(path, nil) // check the data all the same
		case !looksLikeStreamDir(e.Name()):
			c.note("%s: not a stream directory; the server leaves it alone", path)
		default:
			c.bad("%s: ORPHAN stream directory of %d bytes: the catalog has no file for it (catalog/%s.json lost?), so the server keeps it but does not serve it",
				path, diskUsage(path), streamName(e.Name()))
			c.checkStream(path, nil)
		}
	}
	for name, info := range streams {
		path := filepath.Join(sdir, name)
		if len(info.Shards) > 0 {
			c.bad("%s: missing: stream %s of the catalog has %d shards; the server refuses to start", path, info.Name, len(info.Shards))
		}
	}
	return nil
}

// checkTop notes the entries of the data directory that are not shardlog's.
func (c *checker) checkTop(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		c.bad("%s: %v", dir, err)
		return
	}
	for _, e := range entries {
		switch e.Name() {
		case catalogDir, streamsDir, secretFile, lockFile, secretFile + ".tmp":
		default:
			c.note("%s: not a file of shardlog; the server leaves it alone", filepath.Join(dir, e.Name()))
		}
	}
}

func (c *checker) checkSecret(path string) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.note("%s: missing (made on first start; iterators handed out before are void)", path)
	case err != nil:
		c.bad("%s: %v", path, err)
	case st.Size() != stream.SecretSize:
		c.bad("%s: %d bytes, want %d", path, st.Size(), stream.SecretSize)
	}
}

// checkCatalog reads the catalog, changing nothing, and returns its streams by directory
// name; ok is false if the catalog could not be read.
func (c *checker) checkCatalog(dir string) (streams map[string]stream.StreamInfo, ok bool) {
	out := map[string]stream.StreamInfo{}
	tmps, _ := filepath.Glob(filepath.Join(dir, catalogDir, "*.tmp"))
	for _, tmp := range tmps {
		c.note("%s: an unfinished replacement (a crash; the old file stands); the server removes it", tmp)
	}
	infos, err := stream.ReadCatalog(dir)
	if err != nil {
		for _, e := range unjoin(err) {
			c.bad("%v", e)
		}
		return out, false
	}
	for _, info := range infos {
		out[stream.StreamDirName(&info)] = info
	}
	return out, true
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
	_, err := os.Stat(filepath.Join(dir, stream.DeletedMarkerName))
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

// streamName returns the stream part of a stream directory's name.
func streamName(dir string) string { return dir[:strings.LastIndexByte(dir, '-')] }

// diskUsage returns the bytes of the regular files under path.
func diskUsage(path string) int64 {
	var n int64
	filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// checkStream checks the shards of a stream; info is its catalog entry, or nil when there
// is none (the catalog could not be read, or the stream is an orphan) and every directory
// is taken for a shard.
func (c *checker) checkStream(dir string, info *stream.StreamInfo) {
	c.streams++
	entries, err := os.ReadDir(dir)
	if err != nil {
		c.bad("%s: %v", dir, err)
		return
	}
	if info == nil {
		for _, e := range entries {
			if e.IsDir() {
				c.checkShard(filepath.Join(dir, e.Name()), shard.Options{})
			}
		}
		return
	}
	known := map[string]bool{}
	for _, sh := range info.Shards {
		known[sh.ID] = true
		c.checkShard(filepath.Join(dir, sh.ID), shard.Options{MustExist: true, Retention: info.Retention()})
	}
	for _, e := range entries {
		if !known[e.Name()] {
			c.note("%s: not a shard of the stream; the server leaves it alone", filepath.Join(dir, e.Name()))
		}
	}
}

// checkShard checks one shard with shard.Check, the server's own recovery run read-only.
// A failure is checked again after a pause, up to c.retries times: on a live directory a
// write in progress, a roll or a retention pass can make a good shard look damaged for a
// moment, while damage stays.
func (c *checker) checkShard(dir string, opts shard.Options) {
	c.shards++
	rep, err := shard.Check(dir, opts)
	var first error
	for i := 0; err != nil && i < c.retries; i++ {
		if first == nil {
			first = err
		}
		time.Sleep(c.pause)
		rep, err = shard.Check(dir, opts)
	}
	if err != nil {
		for _, e := range unjoin(errors.Unwrap(err)) {
			c.bad("%v", e)
		}
		return
	}
	if first != nil {
		c.note("%s: changed while it was checked (a running server), and then checked clean: %v", dir, first)
	}
	for _, r := range rep.Repairs {
		c.note("%s", r)
	}
	if rep.TornBytes > 0 {
		c.note("%s: a torn last batch of %d bytes (a write a crash interrupted, or one in progress); the server cuts it off when it starts",
			rep.TornFile, rep.TornBytes)
	}
	c.segments += rep.Segments
	c.batches += rep.Batches
	c.records += rep.NextOffset - rep.FirstOffset
	c.bytes += rep.Bytes
}
