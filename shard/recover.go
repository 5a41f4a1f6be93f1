package shard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/internal/atomicfile"
	"github.com/shardlog/shardlog/segment"
)

// Open opens the shard in dir, creating it (and dir) if dir holds no shard, and recovers it.
//
// After a clean shutdown Open reads the manifest and lists the directory once; it opens only
// the active segment and its index. Otherwise it scans the active segment from its last
// checkpoint: a torn batch is cut off with whatever follows it (Stats.DroppedBytes; see
// segment.Scan for what is torn), and any other damaged batch is a *segment.CorruptionError
// naming the file and position. Sealed
// segments are not opened until a read needs them. Segment files the manifest does not know
// are reconciled: those older than the log (deleted by retention just before a crash) are
// removed, a newer one (rolled just before a crash) joins the log.
func Open(dir string, opts Options) (*Shard, error) {
	o := opts.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	s := &Shard{dir: dir, opts: o}
	s.retention.Store(int64(o.Retention))
	s.scond.L = &s.smu
	s.cache = cache{meta: s.meta, max: o.MaxMappedSegments, idle: o.IdleTimeout, interval: o.IndexIntervalBytes}
	if err := s.open(); err != nil {
		s.abandon()
		return nil, fmt.Errorf("shard %s: open: %w", dir, err)
	}
	return s, nil
}

// open creates or recovers the shard.
func (s *Shard) open() error {
	made := false // the directory was made here, its entry synced
	if s.opts.MustExist {
		if err := requireDir(s.dir); err != nil {
			return err
		}
	} else {
		var err error
		if made, err = makeDir(s.dir); err != nil {
			return err
		}
	}
	files, err := s.listSegments()
	if err != nil {
		return err
	}
	m, found, err := readManifest(s.dir)
	if err != nil {
		return err
	}
	if !found && s.opts.MustExist {
		return fmt.Errorf("%w: %s", ErrMissingManifest, filepath.Join(s.dir, manifestName))
	}
	if !found && len(files.segments) == 0 {
		return s.create(made)
	}
	if !found {
		m = manifest{createdMs: s.opts.CreatedMs}
		if m.createdMs == 0 {
			m.createdMs = s.nowMs()
		}
	}
	return s.recover(m, found, files)
}

// makeDir creates dir if it does not exist, and makes its entry durable; made says whether
// it did.
func makeDir(dir string) (made bool, err error) {
	if _, err := os.Stat(dir); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	return true, atomicfile.SyncDir(filepath.Dir(dir))
}

// requireDir fails with ErrMissingShard if dir does not exist.
func requireDir(dir string) error {
	_, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrMissingShard, dir)
	}
	return err
}

// segmentFiles are the base offsets of the segment and index files in a shard directory.
type segmentFiles struct {
	segments []uint64 // .seg files, in order
	indexes  []uint64 // .idx files
}

// listSegments lists the segment and index files of the shard, and removes leftovers of
// interrupted atomic writes.
func (s *Shard) listSegments() (segmentFiles, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return segmentFiles{}, err
	}
	var files segmentFiles
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, tmpSuffix) {
			path := filepath.Join(s.dir, name)
			s.repair("remove an unfinished replacement", path, func() { os.Remove(path) })
			continue
		}
		switch base, ext, ok := parseName(name); {
		case ok && ext == segmentSuffix:
			files.segments = append(files.segments, base)
		case ok:
			files.indexes = append(files.indexes, base)
		}
	}
	slices.Sort(files.segments)
	return files, nil
}

// readManifest reads and decodes dir's manifest; found is false if there is none.
func readManifest(dir string) (m manifest, found bool, err error) {
	path := filepath.Join(dir, manifestName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return manifest{}, false, nil
	}
	if err != nil {
		return manifest{}, false, err
	}
	m, err = decodeManifest(path, b)
	return m, err == nil, err
}

// create starts a new shard: an empty first segment and a manifest. dirSynced says that
// open made the directory and synced its entry just before.
func (s *Shard) create(dirSynced bool) error {
	// Otherwise the directory may be what a process that crashed while creating the shard
	// left, its entry visible but not yet durable: records acknowledged in it would go at a
	// power loss.
	if !dirSynced {
		if err := atomicfile.SyncDir(filepath.Dir(s.dir)); err != nil {
			return err
		}
	}
	now := s.nowMs()
	s.createdMs = s.opts.CreatedMs
	if s.createdMs == 0 {
		s.createdMs = now
	}
	g, w, err := s.createSegment(0, s.createdMs)
	if err != nil {
		return err
	}
	s.segs, s.hasActive = []*seg{g}, true
	s.ws = wstate{seg: g, next: 0, end: w.Size()}
	s.setWriter(w)
	s.cp, s.cpEnd = g.meta, w.Size()
	s.mmu.Lock()
	defer s.mmu.Unlock()
	return s.writeManifestLocked(false)
}

// recover rebuilds the shard's state from the manifest m (found false: none, m is empty) and
// the segment files in the directory.
func (s *Shard) recover(m manifest, found bool, files segmentFiles) error {
	if !found || !m.clean {
		if err := s.syncEntries(); err != nil {
			return err
		}
	}
	s.createdMs, s.floor = m.createdMs, m.trimOffset
	sealed, active := m.segments, (*index.Meta)(nil)
	if n := len(sealed); !m.sealed && n > 0 {
		sealed, active = sealed[:n-1], &m.segments[n-1]
	}
	sealed, tail, err := s.reconcile(m, found, files, sealed, active)
	if err != nil {
		return err
	}
	for _, meta := range sealed {
		s.segs = append(s.segs, newSeg(s.dir, meta.BaseOffset, meta))
	}
	clean := found && m.clean && ((m.sealed && len(tail) == 0) ||
		(active != nil && len(tail) == 1 && tail[0] == active.BaseOffset))
	if err := s.recoverTail(m, tail, active, clean); err != nil {
		return err
	}
	s.finishRecovery(m)
	if clean {
		s.cleanOnDisk = true
		return nil
	}
	return s.checkpointRecovered(found && m.clean)
}

// syncEntries makes durable the shard directory's entry in its parent and the entries in it.
// A process that crashed without a clean Close may have left them visible but not durable
// (a crash inside makeDir, or between creating a segment and syncing the directory), and the
// records acknowledged from now on depend on them. After a clean Close an earlier Open did
// this, and the Close synced the directory.
func (s *Shard) syncEntries() error {
	if err := atomicfile.SyncDir(filepath.Dir(s.dir)); err != nil {
		return err
	}
	return atomicfile.SyncDir(s.dir)
}

// reconcile compares the segment files with the manifest: it checks that every listed
// segment exists, removes the files of segments older than the log (deleted by retention,
// with the manifest already written, just before a crash), and returns the newer segments,
// the tail, that recovery must scan: the active segment if one is listed, then any segment
// rolled after the manifest was last written. Listed segments missing from the front of the
// log are accepted if all their records have expired (DeleteExpired on a full disk deletes
// before it writes the manifest); it returns the sealed segments that remain.
func (s *Shard) reconcile(m manifest, found bool, files segmentFiles, sealed []index.Meta, active *index.Meta) ([]index.Meta, []uint64, error) {
	lowest := uint64(0)
	switch {
	case len(m.segments) > 0:
		lowest = m.segments[0].BaseOffset
	case found:
		lowest = m.nextOffset
	}
	s.removeOrphans(files, found, lowest)
	missing := make(map[uint64]bool, len(sealed)) // listed, not found yet
	for _, g := range sealed {
		missing[g.BaseOffset] = true
	}
	var tail []uint64
	for _, base := range files.segments {
		switch {
		case found && base < lowest:
		case missing[base]:
			delete(missing, base)
		case len(sealed) == 0 || base > sealed[len(sealed)-1].BaseOffset:
			tail = append(tail, base)
		default:
			return nil, nil, fmt.Errorf("segment %s is inside the log but not in the manifest", s.segmentPath(base))
		}
	}
	sealed, err := s.checkMissing(sealed, missing, tail, active)
	if err != nil {
		return nil, nil, err
	}
	if n := len(tail); n > 0 && (active == nil || tail[n-1] != active.BaseOffset) && s.headerless(tail[n-1]) {
		base := tail[n-1]
		s.repair("remove a segment without a header (a crash while creating it)", s.segmentPath(base),
			func() { s.removeSegmentFiles(base) })
		tail = tail[:n-1]
	}
	if m.sealed && len(tail) > 0 {
		return nil, nil, fmt.Errorf("segment %s follows the last segment of a sealed shard", s.segmentPath(tail[0]))
	}
	return sealed, tail, nil
}

// checkMissing fails with ErrMissingSegment if a listed segment's file is missing, unless
// the segment is at the front of the log and all its records have expired: then it is
// dropped from the log (and from the sealed segments it returns).
func (s *Shard) checkMissing(sealed []index.Meta, missing map[uint64]bool, tail []uint64, active *index.Meta) ([]index.Meta, error) {
	cutoff := cutoffMs(s.nowMs(), s.Retention())
	for len(sealed) > 0 && missing[sealed[0].BaseOffset] && expiredPrefix([]*seg{{meta: sealed[0]}}, false, cutoff) == 1 {
		s.floor = max(s.floor, sealed[0].NextOffset)
		sealed = sealed[1:]
	}
	for _, g := range sealed {
		if missing[g.BaseOffset] {
			return nil, fmt.Errorf("%w: %s", ErrMissingSegment, s.segmentPath(g.BaseOffset))
		}
	}
	if active != nil && (len(tail) == 0 || tail[0] != active.BaseOffset) {
		return nil, fmt.Errorf("%w: %s (the active segment)", ErrMissingSegment, s.segmentPath(active.BaseOffset))
	}
	return sealed, nil
}

// removeOrphans removes the segment and index files below the log's first offset.
func (s *Shard) removeOrphans(files segmentFiles, found bool, lowest uint64) {
	if !found {
		return
	}
	for _, base := range files.segments {
		if base < lowest {
			s.repair("remove a segment below the log (deleted by retention before a crash)", s.segmentPath(base),
				func() { s.removeSegmentFiles(base) })
		}
	}
	for _, base := range files.indexes {
		if base < lowest {
			path := filepath.Join(s.dir, indexName(base))
			s.repair("remove the index of a segment below the log", path, func() { os.Remove(path) })
		}
	}
}

// repair carries out a repair that recovery makes, and logs it with the file it touches;
// in Check it only notes it.
func (s *Shard) repair(what, path string, do func()) {
	if s.check != nil {
		s.check.Repairs = append(s.check.Repairs, path+": "+what)
		return
	}
	s.opts.Logger.Warn("shard: recovery: "+what, "file", path)
	do()
}

// headerless reports whether the segment at base has no valid header.
func (s *Shard) headerless(base uint64) bool {
	f, err := os.Open(s.segmentPath(base))
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, segment.HeaderSize)
	n, _ := f.ReadAt(b, 0)
	_, err = segment.DecodeHeader(b[:n])
	return err != nil
}

// removeSegmentFiles deletes the segment at base and its index.
func (s *Shard) removeSegmentFiles(base uint64) {
	os.Remove(s.segmentPath(base))
	os.Remove(filepath.Join(s.dir, indexName(base)))
}

// segmentPath returns the path of the segment at base.
func (s *Shard) segmentPath(base uint64) string { return filepath.Join(s.dir, segmentName(base)) }

// recoverTail opens the tail segments in order: all but the last were rolled, so they are
// complete and get their Meta from their index files; the last is the active segment.
func (s *Shard) recoverTail(m manifest, tail []uint64, active *index.Meta, clean bool) error {
	prevNext := m.nextOffset
	switch {
	case len(s.segs) > 0:
		prevNext = s.segs[len(s.segs)-1].meta.NextOffset
	case len(tail) > 0 && (active != nil || len(m.segments) == 0):
		prevNext = tail[0]
	}
	for i, base := range tail {
		path := s.segmentPath(base)
		if base != prevNext {
			return &segment.CorruptionError{Path: path, Reason: fmt.Sprintf(
				"segment starts at offset %d, the log before it ends at %d", base, prevNext)}
		}
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if i < len(tail)-1 {
			g, err := s.loadRolled(base, fi.Size())
			if err != nil {
				return err
			}
			s.segs = append(s.segs, g)
			prevNext = g.meta.NextOffset
			continue
		}
		var cp *index.Meta
		if active != nil && active.BaseOffset == base {
			cp = active
		}
		return s.recoverActive(base, fi.Size(), cp, clean)
	}
	if m.sealed {
		return nil
	}
	g, w, err := s.createSegment(prevNext, s.nowMs())
	if err != nil {
		return err
	}
	s.installActive(g, w, g.meta)
	return nil
}

// loadRolled returns a segment that was rolled, with the Meta of its index file (rebuilt
// from the segment if need be). The index is not kept open.
func (s *Shard) loadRolled(base uint64, size int64) (*seg, error) {
	g := newSeg(s.dir, base, index.Meta{})
	x, m, rebuilt, err := index.Load(g.xpath, base, size, s.opts.IndexIntervalBytes,
		func(x *index.Index) (index.Meta, error) { return scanSealed(g, x) })
	if x == nil {
		return nil, err
	}
	x.Close()
	if rebuilt {
		s.recovery.segments++
		s.opts.Logger.Info("shard: recovery: rebuilt the index of a rolled segment", "file", g.xpath, "err", err)
	}
	g.meta = m
	return g, nil
}

// recoverActive opens the active segment at base for appending: after a clean shutdown with
// the Meta the manifest recorded (cp), otherwise by scanning it from its last checkpoint.
func (s *Shard) recoverActive(base uint64, size int64, cp *index.Meta, clean bool) error {
	g := newSeg(s.dir, base, index.Meta{})
	x := index.New(base, s.opts.IndexIntervalBytes)
	var meta index.Meta
	ok := false
	if clean && cp != nil {
		meta, ok = s.loadCleanIndex(g, size, *cp, x)
	}
	if !ok {
		var err error
		if meta, err = s.scanActive(g, size, cp, x); err != nil {
			return err
		}
	}
	w, err := segment.OpenWriter(g.path, meta.End, meta.NextOffset, s.writerOptions())
	if err != nil {
		return err
	}
	r, err := segment.OpenReader(g.path, s.readerCapacity(meta.End))
	if err != nil {
		w.Close()
		return err
	}
	s.cache.pin(g, r, x)
	s.installActive(g, w, meta)
	return nil
}

// installActive makes g, written by w up to meta, the active segment.
func (s *Shard) installActive(g *seg, w *segment.Writer, meta index.Meta) {
	g.meta = meta
	s.segs, s.hasActive = append(s.segs, g), true
	s.ws = wstate{seg: g, next: meta.NextOffset, end: meta.End,
		firstTimeMs: meta.FirstTimeMs, lastTimeMs: meta.LastTimeMs}
	s.setWriter(w)
	s.cp, s.cpEnd = meta, meta.End
}

// loadCleanIndex fills x from the active segment's index file, written by Close, if it
// matches the manifest's Meta cp and the file's size.
func (s *Shard) loadCleanIndex(g *seg, size int64, cp index.Meta, x *index.Index) (index.Meta, bool) {
	if size != cp.End {
		return index.Meta{}, false
	}
	lx, lm, _, _ := index.Load(g.xpath, g.base, cp.End, s.opts.IndexIntervalBytes,
		func(x *index.Index) (index.Meta, error) { return scanSealed(g, x) })
	if lx == nil {
		return index.Meta{}, false
	}
	defer lx.Close()
	if lm != cp {
		return index.Meta{}, false
	}
	for i := range lx.Len() {
		x.Add(lx.Entry(i))
	}
	return lm, true
}

// scanActive recovers the active segment after an unclean shutdown: it takes the index
// entries up to the last checkpoint from the segment's index file, and scans the rest of the
// segment, cutting a torn tail. It fails if the segment ends before the checkpoint cp.
func (s *Shard) scanActive(g *seg, size int64, cp *index.Meta, x *index.Index) (index.Meta, error) {
	from := index.Meta{BaseOffset: g.base, NextOffset: g.base}
	if ox, om, err := index.Open(g.xpath); err == nil {
		if om.BaseOffset == g.base && om.End >= segment.HeaderSize && om.End <= size {
			for i := range ox.Len() {
				x.Add(ox.Entry(i))
			}
			from = om
		}
		ox.Close()
	}
	res, err := segment.Scan(g.path, segment.ScanOptions{From: from.End, FromOffset: from.NextOffset, Tail: true,
		Batch: func(b segment.BatchInfo) {
			x.Add(index.Entry{Offset: b.FirstOffset, Position: b.Position, TimeMs: b.FirstTimeMs})
		}})
	if err != nil {
		return index.Meta{}, err
	}
	s.scanned = res.End - max(from.End, segment.HeaderSize) + res.DroppedBytes
	s.dropped = res.DroppedBytes
	s.recovery.segments++
	if res.DroppedBytes > 0 {
		s.recovery.tornTails++
		msg := "shard: recovery: cut a torn tail (a write a crash interrupted)"
		args := []any{"file", g.path, "position", res.End, "bytes", res.DroppedBytes, "next_offset", res.NextOffset}
		if res.DroppedBatches > 0 {
			msg = "shard: recovery: cut a torn tail (a write a power loss interrupted, " +
				"with later batches that reached the disk before it; none was acknowledged as synced)"
			args = append(args, "whole_batches_after", res.DroppedBatches)
		}
		s.opts.Logger.Warn(msg, args...)
	}
	meta := from
	meta.NextOffset, meta.End = res.NextOffset, res.End
	if from.NextOffset == from.BaseOffset {
		meta.FirstTimeMs = res.FirstTimeMs
	}
	if res.Batches > 0 {
		meta.LastTimeMs = res.LastTimeMs
	}
	if cp != nil && meta.NextOffset < cp.NextOffset {
		return index.Meta{}, &segment.CorruptionError{Path: g.path, Offset: meta.End, Reason: fmt.Sprintf(
			"the segment ends at offset %d, before the checkpoint at offset %d", meta.NextOffset, cp.NextOffset)}
	}
	return meta, nil
}

// finishRecovery sets the tip and the times from the recovered segments.
func (s *Shard) finishRecovery(m manifest) {
	metas := make([]index.Meta, len(s.segs))
	for i, g := range s.segs {
		metas[i] = g.meta
	}
	s.isSealed, s.sealed = m.sealed, m.sealed
	s.next = m.nextOffset
	if n := len(metas); n > 0 {
		s.next = metas[n-1].NextOffset
	}
	s.lastMs = lastTimeOf(metas, m.lastTimeMs)
	s.lastTime, s.durable = s.lastMs, s.next
	s.observeTime(s.lastMs)
}

// checkpointRecovered makes the recovered state durable and records it: the scanned tail is
// synced (a crashed process may have left it only in the page cache), and the active
// segment's index and the manifest are written.
//
// On a full disk the index and manifest cannot be written, and need not be: the manifest on
// disk still describes a prefix of what was recovered, so the next Open scans a little more.
// Open goes on without them, so that a full disk never keeps the records already stored from
// being read; cleanOnDisk says whether the old manifest still claims a clean shutdown, so
// that the first append replaces it (or fails while the disk is full).
func (s *Shard) checkpointRecovered(cleanOnDisk bool) error {
	s.mmu.Lock()
	defer s.mmu.Unlock()
	var err error
	if s.ws.w == nil {
		err = s.writeManifestLocked(false)
	} else if err = s.ws.w.Sync(); err != nil {
		return err
	} else {
		err = s.writeCheckpointLocked(s.ws)
	}
	if errors.Is(err, syscall.ENOSPC) {
		s.cleanOnDisk = cleanOnDisk
		return nil
	}
	return err
}
