package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/stream"
)

const inspectUsage = `Usage:
  shardlog inspect dump [flags] FILE   print a segment (.seg) batch by batch and record by
                                       record with offsets, or an index (.idx) entry by entry
  shardlog inspect check DIR           verify a data directory: catalog, shard manifests,
                                       every batch's CRC and offsets, every index; exit 1 on
                                       damage, naming the file and byte position

Run them on the data directory of a stopped server: a running one changes its active
segments underneath.
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
	c := &checker{w: stdout}
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

// checkDir checks a data directory. It returns an error only when dir is not one.
func (c *checker) checkDir(dir string) error {
	if st, err := os.Stat(filepath.Join(dir, "catalog")); err != nil || !st.IsDir() {
		return fmt.Errorf("%s is not a shardlog data directory: no catalog directory", dir)
	}
	c.checkSecret(filepath.Join(dir, "secret"))
	streams, catalogOK := c.checkCatalog(dir)
	streamsDir := filepath.Join(dir, "streams")
	entries, err := os.ReadDir(streamsDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.bad("%s: %v", streamsDir, err)
	}
	for _, e := range entries {
		path := filepath.Join(streamsDir, e.Name())
		info, known := streams[e.Name()]
		switch {
		case !e.IsDir():
			c.note("%s: not a stream directory", path)
		case !catalogOK:
			c.checkStream(path, nil) // check the data all the same
		case !known:
			c.note("%s: no stream of the catalog (a deleted stream; the server removes it on start)", path)
		default:
			c.checkStream(path, &info)
			delete(streams, e.Name())
		}
	}
	for name := range streams {
		c.note("%s: stream in the catalog has no directory (no shard has data yet)", filepath.Join(streamsDir, name))
	}
	return nil
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

// checkCatalog loads the catalog and returns its streams by directory name; ok is false if
// the catalog could not be read.
func (c *checker) checkCatalog(dir string) (streams map[string]stream.StreamInfo, ok bool) {
	out := map[string]stream.StreamInfo{}
	tmps, _ := filepath.Glob(filepath.Join(dir, "catalog", "*.tmp"))
	for _, tmp := range tmps {
		c.note("%s: an unfinished replacement (a crash; the old file stands); removed", tmp)
	}
	cat, err := stream.OpenCatalog(dir) // removes the .tmp files
	if err != nil {
		c.bad("%s: %v", filepath.Join(dir, "catalog"), err)
		return out, false
	}
	infos, err := cat.Load()
	if err != nil {
		for _, e := range unjoin(err) {
			c.bad("%v", e)
		}
		return out, false
	}
	for _, info := range infos {
		out[info.Name+"-"+strconv.FormatInt(info.Incarnation, 10)] = info
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

// checkStream checks the shard directories of a stream; info is its catalog entry, or nil
// when the catalog could not be read and every directory is taken for a shard.
func (c *checker) checkStream(dir string, info *stream.StreamInfo) {
	c.streams++
	known := map[string]bool{}
	if info != nil {
		for _, sh := range info.Shards {
			known[sh.ID] = true
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		c.bad("%s: %v", dir, err)
		return
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if !e.IsDir() || (info != nil && !known[e.Name()]) {
			c.note("%s: not a shard of the stream", path)
			continue
		}
		c.checkShard(path)
	}
}

// segmentFile is one segment of a shard directory, by the offset its name gives.
type segmentFile struct {
	base uint64
	path string
}

func (c *checker) checkShard(dir string) {
	c.shards++
	entries, err := os.ReadDir(dir)
	if err != nil {
		c.bad("%s: %v", dir, err)
		return
	}
	var segs []segmentFile
	hasManifest := false
	for _, e := range entries {
		name, path := e.Name(), filepath.Join(dir, e.Name())
		switch {
		case name == "manifest":
			hasManifest = true
			c.checkManifest(path)
		case strings.HasSuffix(name, ".seg"):
			base, err := strconv.ParseUint(strings.TrimSuffix(name, ".seg"), 10, 64)
			if err != nil {
				c.bad("%s: a segment name must be its first offset", path)
				continue
			}
			segs = append(segs, segmentFile{base, path})
		case strings.HasSuffix(name, ".idx"):
			seg := strings.TrimSuffix(path, ".idx") + ".seg"
			if _, err := os.Stat(seg); err != nil {
				c.note("%s: index without its segment", path)
			}
		case strings.HasSuffix(name, ".tmp"):
			c.note("%s: an unfinished replacement (a crash; the old file stands)", path)
		default:
			c.note("%s: not a file of a shard", path)
		}
	}
	if !hasManifest {
		c.note("%s: no manifest (a shard that never checkpointed; the server scans its segments)", dir)
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].base < segs[j].base })
	var next uint64
	for i, s := range segs {
		last := i == len(segs)-1
		end, ok := c.checkSegment(s, last)
		if ok && i > 0 && s.base != next {
			c.bad("%s: starts at offset %d, but the segment before it ends at %d", s.path, s.base, next)
		}
		next = end
	}
}

// checkSegment verifies one segment and its index, and returns the offset after its last
// record. A damaged last batch of the last segment with nothing valid after it is what a
// crash leaves; the server cuts it off when it starts, so it is a note, not damage.
func (c *checker) checkSegment(s segmentFile, last bool) (next uint64, ok bool) {
	c.segments++
	var batches []segment.BatchInfo
	res, err := segment.Scan(s.path, segment.ScanOptions{Batch: func(b segment.BatchInfo) { batches = append(batches, b) }})
	if err != nil && last && errors.Is(err, segment.ErrCorrupt) {
		res, err = tornTail(s.path)
		if err == nil {
			c.note("%s: a torn last batch of %d bytes (a crash; the server cuts it off on start)", s.path, res.DroppedBytes)
		}
	}
	if err != nil {
		c.bad("%v", err)
		return 0, false
	}
	h, err := readSegmentHeader(s.path)
	if err != nil {
		c.bad("%s: %v", s.path, err)
		return 0, false
	}
	if h.FirstOffset != s.base {
		c.bad("%s: header says first offset %d, the name says %d", s.path, h.FirstOffset, s.base)
	}
	c.batches += len(batches)
	c.records += res.NextOffset - h.FirstOffset
	c.bytes += res.End
	c.checkIndex(strings.TrimSuffix(s.path, ".seg")+".idx", h.FirstOffset, res, batches, last)
	return res.NextOffset, true
}

// tornTail scans a copy of a segment as the server's recovery would, and returns what
// recovery would keep (DroppedBytes: what it would cut), or the corruption it would stop at.
// The segment itself is left as it is.
func tornTail(path string) (segment.ScanResult, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return segment.ScanResult{}, err
	}
	tmp, err := os.MkdirTemp("", "shardlog-check-")
	if err != nil {
		return segment.ScanResult{}, err
	}
	defer os.RemoveAll(tmp)
	cp := filepath.Join(tmp, filepath.Base(path))
	if err := os.WriteFile(cp, src, 0o600); err != nil {
		return segment.ScanResult{}, err
	}
	res, err := segment.Scan(cp, segment.ScanOptions{Tail: true})
	var ce *segment.CorruptionError
	if errors.As(err, &ce) {
		ce.Path = path // name the real file
	}
	return res, err
}

func readSegmentHeader(path string) (segment.Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return segment.Header{}, err
	}
	defer f.Close()
	b := make([]byte, segment.HeaderSize)
	if _, err := io.ReadFull(f, b); err != nil {
		return segment.Header{}, fmt.Errorf("read header: %w", err)
	}
	return segment.DecodeHeader(b)
}

// checkIndex verifies a segment's index: its own checksum and order (index.Open), that it
// covers the segment (all of a sealed one, a prefix of the active one, whose index is a
// checkpoint), and that each entry points at a batch that starts where and when it says.
// An index is a cache the server rebuilds, but a wrong one is still damage to report.
func (c *checker) checkIndex(path string, base uint64, seg segment.ScanResult, batches []segment.BatchInfo, active bool) {
	x, m, err := index.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !active {
			c.note("%s: missing (the server rebuilds it from the segment)", path)
		}
		return
	case err != nil:
		c.bad("%v", err)
		return
	}
	defer x.Close()
	switch {
	case m.BaseOffset != base:
		c.bad("%s: index of offset %d, its segment starts at %d", path, m.BaseOffset, base)
	case !active && (m.End != seg.End || m.NextOffset != seg.NextOffset):
		c.bad("%s: covers bytes up to %d and offsets up to %d, its sealed segment %d and %d", path, m.End, m.NextOffset, seg.End, seg.NextOffset)
	case m.End > seg.End || m.NextOffset > seg.NextOffset:
		c.bad("%s: covers bytes up to %d and offsets up to %d, beyond its segment's %d and %d", path, m.End, m.NextOffset, seg.End, seg.NextOffset)
	}
	for i := range x.Len() {
		e := x.Entry(i)
		j, found := slices.BinarySearchFunc(batches, e.Position, func(b segment.BatchInfo, pos int64) int {
			return compareInt64(b.Position, pos)
		})
		if !found {
			c.bad("%s: entry %d points at byte %d, where no batch starts", path, i, e.Position)
			continue
		}
		if b := batches[j]; b.FirstOffset != e.Offset || b.FirstTimeMs != e.TimeMs {
			c.bad("%s: entry %d says offset %d at %d ms, the batch at byte %d holds offset %d at %d ms",
				path, i, e.Offset, e.TimeMs, e.Position, b.FirstOffset, b.FirstTimeMs)
		}
	}
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// The shard manifest's frame, as shard/format.go draws it: a 4-byte magic first and a
// CRC-32C of every byte before it last.
const (
	manifestMagic   = "SLSM"
	manifestMinSize = 44 + 4 // header and CRC, no segment entries
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checkManifest verifies the frame of a shard manifest: magic and checksum.
func (c *checker) checkManifest(path string) {
	b, err := os.ReadFile(path)
	switch {
	case err != nil:
		c.bad("%s: %v", path, err)
	case len(b) < manifestMinSize:
		c.bad("%s: %d bytes, shorter than any manifest (%d)", path, len(b), manifestMinSize)
	case string(b[:4]) != manifestMagic:
		c.bad("%s: bad magic %q at byte 0", path, b[:4])
	default:
		body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
		if got := crc32.Checksum(body, castagnoli); got != sum {
			c.bad("%s: checksum at byte %d is %08x, the bytes before it give %08x", path, len(body), sum, got)
		}
	}
}
