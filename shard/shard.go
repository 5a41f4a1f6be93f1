package shard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/internal/atomicfile"
	"github.com/shardlog/shardlog/segment"
)

// defaultCheckpointBytes is how many bytes the active segment grows between checkpoints, and
// so about the most an unclean Open has to scan. Tests change it with Options.checkpointBytes.
const defaultCheckpointBytes = 16 << 20

// Shard is the log of one shard: an ordered set of segments and their indexes, of which the
// last one (the active segment) takes appends until it rolls. See the package documentation
// for the lifecycle and the concurrency promises.
type Shard struct {
	dir  string
	opts Options // with defaults

	retention atomic.Int64 // time.Duration; SetRetention changes it at run time
	clockMs   atomic.Int64 // the latest time seen (ms): the shard's clock never goes back

	// wmu is the append lock. It is held to stamp the arrival time, assign offsets and write
	// a batch, and to roll or seal the active segment; never across the fdatasync that other
	// appenders wait for.
	wmu       sync.Mutex
	ws        wstate // the active writer and what it has written
	lastTime  int64  // arrival time of the newest written record
	sealed    bool
	closing   bool
	cpEnd     int64       // ws.end at the last checkpoint
	cpDue     bool        // a roll left state for a checkpoint to record
	cpRunning bool        // a checkpoint goroutine is running
	dirty     bool        // the manifest on disk has no clean flag (see markDirty)
	syncTimer *time.Timer // SyncInterval: the pending background sync, if any

	// syncMu orders Writer.Sync against Writer.Close: a roll never closes a file that a sync
	// is running on. syncable is the writer that may still be synced.
	syncMu   sync.Mutex
	syncable *segment.Writer

	// Group commit (SyncAlways): smu guards durable, syncing and failed.
	smu     sync.Mutex
	scond   sync.Cond
	durable uint64 // every record below this offset is on disk
	syncing bool   // a leader is running fdatasync for everyone
	failed  error  // a failed sync: sticky until the shard is reopened

	// mu guards the segment list and what readers see.
	mu        sync.RWMutex
	segs      []*seg // in offset order; replaced, never modified in place
	unsaved   []*seg // sealed by rolls; their index files are not written yet
	hasActive bool   // segs ends with the active segment (false once sealed)
	next      uint64 // visible tip: the offset after the newest readable record
	lastMs    int64  // arrival time of that record, 0 if none
	floor     uint64 // trim floor: no offset below it is served again
	closed    bool
	dropped   int64                             // torn tail bytes cut by Open
	scanned   int64                             // bytes scanned by Open
	recovery  struct{ segments, tornTails int } // segments scanned and torn tails cut by Open
	isSealed  bool                              // readers' copy of sealed
	createdMs int64
	changed   chan struct{} // closed when the tip moves, if someone watches (watch.go)

	// mmu serializes writes of the manifest and of the active segment's index file.
	mmu         sync.Mutex
	cp          index.Meta // the active segment's last checkpoint, as the manifest records it
	cleanOnDisk bool       // the manifest on disk carries the clean flag

	cache cache
	bg    sync.WaitGroup // checkpoint goroutines and background syncs

	compressor compressor // guarded by wmu

	stats counters

	// check is set by Check, which runs recovery's reading steps on a Shard that is never
	// opened: repairs are noted in it instead of carried out.
	check *CheckReport

	// damaged is set, for good, on a Shard made by Quarantine: the error every operation
	// on its log returns.
	damaged error
}

// wstate is what the active writer has written: the segment and the position after its
// newest batch. It is copied by the sync leader and the checkpoint under wmu.
type wstate struct {
	seg         *seg            // the active segment
	w           *segment.Writer // its writer; nil once sealed or closed, or after a failed roll
	next        uint64          // offset after the newest written record
	end         int64           // position after the newest written batch
	firstTimeMs int64           // arrival time of the segment's first record (if next > seg.base)
	lastTimeMs  int64           // arrival time of the segment's newest record (if next > seg.base)
}

// meta returns the Meta of everything in ws.
func (ws wstate) meta() index.Meta {
	m := index.Meta{BaseOffset: ws.seg.base, NextOffset: ws.next, End: ws.end}
	if ws.next > ws.seg.base {
		m.FirstTimeMs, m.LastTimeMs = ws.firstTimeMs, ws.lastTimeMs
	}
	return m
}

// seg is one segment of the log.
type seg struct {
	base  uint64
	path  string     // the .seg file
	xpath string     // the .idx file
	meta  index.Meta // guarded by Shard.mu; final once the segment is sealed
	// dropped is set, under Shard.mu, when DeleteExpired takes the segment out of the log.
	dropped bool

	// Guarded by cache.mu.
	r       *segment.Reader
	x       *index.Index
	xMapped bool      // x maps its file
	refs    int       // readers using r and x
	pinned  bool      // the active segment: the cache never closes it
	lastUse time.Time // wall clock of the last acquire
	retired bool      // gone from the log (or the shard closed): close once refs is 0
	unlink  bool      // delete the files once closed

	omu sync.Mutex // serializes the lazy open
}

// newSeg returns the segment of dir whose first offset is base.
func newSeg(dir string, base uint64, m index.Meta) *seg {
	return &seg{
		base:  base,
		path:  filepath.Join(dir, segmentName(base)),
		xpath: filepath.Join(dir, indexName(base)),
		meta:  m,
	}
}

// counters are the running totals reported by Stats.
type counters struct {
	appends     atomic.Uint64
	records     atomic.Uint64
	syncs       atomic.Uint64
	checkpoints atomic.Uint64
	rolls       atomic.Uint64
	deleted     atomic.Uint64

	compressed     atomic.Uint64 // batches stored compressed
	compressMisses atomic.Uint64 // batches compression was tried on but did not pay for
	compressSkips  atomic.Uint64 // batches not tried because the ones before did not compress
}

// Stats describes a shard at one moment.
type Stats struct {
	Segments    int    // segment files in the log
	Bytes       int64  // bytes of segment data
	OpenFiles   int    // file descriptors the shard holds now
	Mappings    int    // memory mappings the shard holds now
	FirstOffset uint64 // trim horizon
	NextOffset  uint64 // tip
	Sealed      bool

	Appends         uint64 // batches appended since Open
	Records         uint64 // records appended since Open
	Syncs           uint64 // fdatasync calls for appends since Open (group commits)
	Checkpoints     uint64 // checkpoints written since Open
	Rolls           uint64 // segments rolled since Open
	DeletedSegments uint64 // segments deleted by DeleteExpired since Open
	RecoveredBytes  int64  // bytes Open scanned to recover the tail (0 after a clean shutdown)
	DroppedBytes    int64  // bytes of torn tail Open cut off
	// RecoveredSegments is how many segments Open scanned: the active one after an unclean
	// shutdown, and any whose index it rebuilt.
	RecoveredSegments int
	// TornTails is how many torn tails Open cut off (0 or 1: only the last segment can
	// have one). Each cut is also logged with its file, position and bytes.
	TornTails int

	// Compression of the batches appended since Open (Options.Codec): stored compressed;
	// tried but stored raw, since compression would not have saved 10 %; and appended raw
	// without a try, because the batches before them did not compress (see Options.Codec).
	CompressedBatches      uint64
	CompressMissedBatches  uint64
	CompressSkippedBatches uint64
}

// NextOffset returns the tip: the offset after the newest readable record. The next
// appended record gets this offset, unless batches being appended right now take it first.
func (s *Shard) NextOffset() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.next
}

// LastTimeMs returns the arrival time of the newest readable record, 0 if there is none.
func (s *Shard) LastTimeMs() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lastMs
}

// CreatedMs returns the shard's creation time, ms since the Unix epoch.
func (s *Shard) CreatedMs() int64 { return s.createdMs }

// Sealed reports whether Seal closed the shard to appends.
func (s *Shard) Sealed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.isSealed
}

// Retention returns how long records stay readable.
func (s *Shard) Retention() time.Duration { return time.Duration(s.retention.Load()) }

// Stats returns the shard's sizes and counters.
func (s *Shard) Stats() Stats {
	st := Stats{FirstOffset: s.FirstOffset()}
	s.mu.RLock()
	st.Segments, st.NextOffset, st.Sealed = len(s.segs), s.next, s.isSealed
	for _, g := range s.segs {
		st.Bytes += g.meta.End
	}
	st.RecoveredBytes, st.DroppedBytes = s.scanned, s.dropped
	st.RecoveredSegments, st.TornTails = s.recovery.segments, s.recovery.tornTails
	s.mu.RUnlock()
	st.Mappings = s.cache.mappings()
	s.wmu.Lock()
	if s.ws.w != nil {
		st.OpenFiles = 1 // readers and indexes close their files once mapped
	}
	s.wmu.Unlock()
	st.Appends, st.Records = s.stats.appends.Load(), s.stats.records.Load()
	st.Syncs, st.Checkpoints = s.stats.syncs.Load(), s.stats.checkpoints.Load()
	st.Rolls, st.DeletedSegments = s.stats.rolls.Load(), s.stats.deleted.Load()
	st.CompressedBatches = s.stats.compressed.Load()
	st.CompressMissedBatches = s.stats.compressMisses.Load()
	st.CompressSkippedBatches = s.stats.compressSkips.Load()
	return st
}

// Remove deletes the files of a closed shard, and its directory.
func Remove(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("shard %s: remove: %w", dir, err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("shard %s: remove: %w", dir, err)
	}
	return nil
}

// nowMs returns the shard's time in ms since the Unix epoch: the clock's, except that it
// never goes backwards, so that neither arrival times nor the trim horizon do when the
// clock is stepped back.
func (s *Shard) nowMs() int64 { return s.observeTime(s.opts.Now().UnixMilli()) }

// observeTime moves the shard's time up to ms if it is behind, and returns it.
func (s *Shard) observeTime(ms int64) int64 {
	for {
		last := s.clockMs.Load()
		if ms <= last {
			return last
		}
		if s.clockMs.CompareAndSwap(last, ms) {
			return ms
		}
	}
}

// writerOptions returns the options of new and reopened segment writers.
func (s *Shard) writerOptions() segment.WriterOptions {
	return segment.WriterOptions{Codec: s.opts.Codec, PreallocateBytes: s.opts.PreallocateBytes}
}

// readerCapacity is how much of the active segment its Reader maps: the most it can hold,
// since a batch is only appended while the segment is under MaxSegmentBytes.
func (s *Shard) readerCapacity(end int64) int64 {
	return max(s.opts.MaxSegmentBytes, end) + segment.MaxBatchBytes
}
