package shard

import (
	"errors"
	"fmt"
	"io/fs"

	"path/filepath"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
)

// CheckReport is what Check found in a shard directory.
type CheckReport struct {
	Segments    int    // segment files of the log
	Batches     int    // good batches in them
	Bytes       int64  // bytes of those batches and the segment headers
	FirstOffset uint64 // the first offset on disk (the oldest segment's base)
	NextOffset  uint64 // the tip Open would recover
	// TornFile and TornBytes name a torn tail that Open would cut off: bytes of a write a
	// crash interrupted, or, on a live directory, of a write in progress. TornBatches counts
	// the whole batches after the torn one that the cut takes with it (written back before
	// it when the power went off).
	TornFile    string
	TornBytes   int64
	TornBatches int
	// Repairs lists what Open would repair, one line each naming the file: leftovers it
	// removes, indexes it rebuilds.
	Repairs []string
}

// Check verifies the shard in dir as Open would recover it, without changing anything: every
// file is opened read-only, nothing is removed, truncated or rewritten, and no lock is taken,
// so it may run on the directory of a running server. It returns the error Open would fail
// with (ErrMissingShard and ErrMissingManifest with Options.MustExist, ErrMissingSegment, a
// *segment.CorruptionError naming the file and position), and goes further than Open: it
// scans every sealed segment (Open leaves them to the first read, which would fail at the
// damage) and checks their index files against the manifest. Damage found in several
// segments is joined into one error.
//
// On a live directory a write may be racing with the scan: a batch half copied looks torn
// or damaged, and a segment rolled or deleted between two reads may look missing. A caller
// that sees an error there should check again before calling it damage.
func Check(dir string, opts Options) (CheckReport, error) {
	o := opts.withDefaults()
	s := &Shard{dir: dir, opts: o, check: &CheckReport{}}
	s.retention.Store(int64(o.Retention))
	if err := s.checkAll(); err != nil {
		return *s.check, fmt.Errorf("shard %s: check: %w", dir, err)
	}
	return *s.check, nil
}

// checkAll runs the reading steps of open and recover, then scans every segment.
func (s *Shard) checkAll() error {
	if err := requireDir(s.dir); err != nil {
		return err
	}
	// The manifest before the listing: a segment rolled in between is then a tail segment,
	// and one deleted by retention an expired front segment, as recovery accepts them.
	m, found, err := readManifest(s.dir)
	if err != nil {
		return err
	}
	files, err := s.listSegments()
	if err != nil {
		return err
	}
	switch {
	case !found && s.opts.MustExist:
		return fmt.Errorf("%w: %s", ErrMissingManifest, filepath.Join(s.dir, manifestName))
	case !found && len(files.segments) == 0:
		return nil // Open creates the shard
	case !found:
		m = manifest{}
	}
	sealed, active := m.segments, (*index.Meta)(nil)
	if n := len(sealed); !m.sealed && n > 0 {
		sealed, active = sealed[:n-1], &m.segments[n-1]
	}
	sealed, tail, err := s.reconcile(m, found, files, sealed, active)
	if err != nil {
		return err
	}
	if len(sealed) > 0 {
		s.check.FirstOffset = sealed[0].BaseOffset
	} else if len(tail) > 0 {
		s.check.FirstOffset = tail[0]
	}
	var errs []error
	for _, meta := range sealed {
		errs = append(errs, s.checkSealed(meta))
	}
	errs = append(errs, s.checkTail(m, sealed, tail, active))
	return errors.Join(errs...)
}

// checkSealed scans a sealed segment of the manifest and checks that it holds what the
// manifest says, and that its index (if valid) agrees; a missing or damaged index is a
// repair (it is rebuilt when the segment is first read).
func (s *Shard) checkSealed(meta index.Meta) error {
	path := s.segmentPath(meta.BaseOffset)
	res, err := s.checkScan(path, segment.ScanOptions{})
	if err != nil {
		return err
	}
	if res.End != meta.End || res.NextOffset != meta.NextOffset {
		return &segment.CorruptionError{Path: path, Offset: res.End, Reason: fmt.Sprintf(
			"the segment ends at byte %d, offset %d; the manifest says byte %d, offset %d",
			res.End, res.NextOffset, meta.End, meta.NextOffset)}
	}
	return s.checkIndex(meta)
}

// checkIndex compares the index file of a sealed segment with its Meta as a read would load
// it: a valid index that disagrees is damage (a read fails on it), a missing or unreadable
// one is rebuilt.
func (s *Shard) checkIndex(meta index.Meta) error {
	xpath := filepath.Join(s.dir, indexName(meta.BaseOffset))
	x, xm, err := index.Open(xpath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		s.check.Repairs = append(s.check.Repairs, xpath+": missing; rebuilt from the segment when it is read")
		return nil
	case err != nil:
		s.check.Repairs = append(s.check.Repairs, fmt.Sprintf("%s: %v; rebuilt from the segment when it is read", xpath, err))
		return nil
	}
	x.Close()
	if xm.BaseOffset == meta.BaseOffset && xm.End == meta.End && xm != meta {
		return &segment.CorruptionError{Path: xpath, Reason: fmt.Sprintf("index meta %+v, manifest says %+v", xm, meta)}
	}
	if xm != meta {
		s.check.Repairs = append(s.check.Repairs, xpath+": does not match its segment; rebuilt when it is read")
	}
	return nil
}

// checkTail checks the segments recovery scans, as recoverTail and scanActive do: they
// continue the log, and the last one (the active segment) holds at least its checkpoint,
// with at most a torn tail after its last good batch.
func (s *Shard) checkTail(m manifest, sealed []index.Meta, tail []uint64, active *index.Meta) error {
	prevNext := m.nextOffset
	switch {
	case len(sealed) > 0:
		prevNext = sealed[len(sealed)-1].NextOffset
	case len(tail) > 0 && (active != nil || len(m.segments) == 0):
		prevNext = tail[0]
	}
	s.check.NextOffset = prevNext
	for i, base := range tail {
		path := s.segmentPath(base)
		if base != prevNext {
			return &segment.CorruptionError{Path: path, Reason: fmt.Sprintf(
				"segment starts at offset %d, the log before it ends at %d", base, prevNext)}
		}
		last := i == len(tail)-1
		res, err := s.checkScan(path, segment.ScanOptions{Tail: last, ReadOnly: true})
		if err != nil {
			return err
		}
		if last && active != nil && active.BaseOffset == base && res.NextOffset < active.NextOffset {
			return &segment.CorruptionError{Path: path, Offset: res.End, Reason: fmt.Sprintf(
				"the segment ends at offset %d, before the checkpoint at offset %d", res.NextOffset, active.NextOffset)}
		}
		if res.DroppedBytes > 0 {
			s.check.TornFile, s.check.TornBytes, s.check.TornBatches = path, res.DroppedBytes, res.DroppedBatches
		}
		s.checkTailIndex(base, last)
		prevNext = res.NextOffset
		s.check.NextOffset = prevNext
	}
	return nil
}

// checkTailIndex notes an index of a tail segment that recovery rebuilds: a damaged one,
// or a missing one of a rolled segment (the active segment has none until its first
// checkpoint).
func (s *Shard) checkTailIndex(base uint64, active bool) {
	xpath := filepath.Join(s.dir, indexName(base))
	x, _, err := index.Open(xpath)
	switch {
	case err == nil:
		x.Close()
	case errors.Is(err, fs.ErrNotExist) && active:
	case errors.Is(err, fs.ErrNotExist):
		s.check.Repairs = append(s.check.Repairs, xpath+": missing; rebuilt from the segment at start")
	default:
		s.check.Repairs = append(s.check.Repairs, fmt.Sprintf("%s: %v; rebuilt from the segment at start", xpath, err))
	}
}

// checkScan scans a segment read-only and counts what it holds.
func (s *Shard) checkScan(path string, opts segment.ScanOptions) (segment.ScanResult, error) {
	opts.ReadOnly = true
	res, err := segment.Scan(path, opts)
	if errors.Is(err, fs.ErrNotExist) {
		return res, fmt.Errorf("%w: %s", ErrMissingSegment, path)
	}
	if err != nil {
		return res, err
	}
	s.check.Segments++
	s.check.Batches += res.Batches
	s.check.Bytes += res.End
	return res, nil
}
