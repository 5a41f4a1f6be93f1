package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
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
                                       byte position. The data of accounts and regions other
                                       than the default (accounts/<account>/<region>/) is
                                       checked too, and each such directory listed

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
	fs := newFlagSet("inspect dump", inspectUsage+"\nFlags of dump:\n", stderr)
	fs.BoolVar(&cfg.records, "records", true, "print every record, not only the batches")
	fs.IntVar(&cfg.dataBytes, "data", 32, "bytes of each record's data to show (0: none, -1: all)")
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

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("inspect check", inspectUsage, stderr) // no flags: -h prints the usage alone
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "shardlog inspect check: want one data directory")
		return 2
	}
	// A shard that fails is checked again: on a live directory a write in progress, a roll
	// or a retention pass can make a good shard look damaged for a moment.
	rep, err := stream.Check(fs.Arg(0), stream.CheckOptions{Retries: 3, Pause: 200 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(stderr, "shardlog inspect check:", err)
		return 2
	}
	printCheck(stdout, &rep)
	if rep.Damaged() > 0 {
		return 1
	}
	return 0
}

// printCheck prints a check's problems, one a line, and a summary.
func printCheck(w io.Writer, rep *stream.CheckReport) {
	for _, p := range rep.Problems {
		label := "note  "
		if p.Damage {
			label = "DAMAGE"
		}
		fmt.Fprintf(w, "%s %s\n", label, p)
	}
	for _, sc := range rep.Scopes {
		fmt.Fprintf(w, "scope  account %s region %s: %s\n", sc.Account, sc.Region, sc.Dir)
	}
	verdict := "ok"
	if n := rep.Damaged(); n > 0 {
		verdict = fmt.Sprintf("%d damaged", n)
	}
	fmt.Fprintf(w, "checked %d streams, %d shards, %d segments: %d batches, %d records, %d bytes; %d notes; %s\n",
		rep.Streams, rep.Shards, rep.Segments, rep.Batches, rep.Records, rep.Bytes, len(rep.Problems)-rep.Damaged(), verdict)
}
