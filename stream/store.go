package stream

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shardlog/shardlog/internal/atomicfile"
	"github.com/shardlog/shardlog/internal/dirlock"
	"github.com/shardlog/shardlog/internal/lograte"
	"github.com/shardlog/shardlog/retention"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// Defaults of Options.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "000000000000"

	// DefaultShardLimit is the open shards a Store allows across all its streams. AWS allows
	// 1000 in most regions (20000 in the largest). Locally every open shard holds a file
	// descriptor, a memory mapping and a preallocated segment (4 MiB by default), so 1000
	// shards already reserve 4 GiB of disk: a larger limit is a choice to make on purpose.
	DefaultShardLimit = 1000

	// DefaultOnDemandShardCount is the shard count of an ON_DEMAND stream, which AWS starts
	// with 4 shards.
	DefaultOnDemandShardCount = 4

	// OnDemandStreamCountLimit is the ON_DEMAND streams per account that DescribeLimits
	// reports, AWS's default quota. It is not enforced.
	OnDemandStreamCountLimit = 50
)

// Options configure a Store. The zero value means every default.
type Options struct {
	// Region and Account name the place streams live in, for ARNs and messages. Defaults
	// us-east-1 and 000000000000. A stream keeps those it was created with.
	Region, Account string

	// CreateDelay, UpdateDelay and DeleteDelay are how long a stream stays CREATING,
	// UPDATING and DELETING. Default 0: the change is done at once. Kinesis clients and
	// kinesalite's tests expect about 500ms, which is what the shardlog command sets.
	CreateDelay, UpdateDelay, DeleteDelay time.Duration

	// RegisterConsumerDelay and DeregisterConsumerDelay are how long a consumer stays
	// CREATING and DELETING. Default 0, as for streams; the shardlog command sets 500ms.
	RegisterConsumerDelay, DeregisterConsumerDelay time.Duration

	// ShardLimit is the number of open shards allowed across all streams; CreateStream
	// beyond it is a LimitExceededException. Default DefaultShardLimit (1000).
	ShardLimit int

	// Shard configures every shard's log: sync policy, codec, segment sizes. Its Retention
	// and CreatedMs are set per shard by the Store, and its Now defaults to Options.Now.
	Shard shard.Options

	// StreamCodec, when set, chooses the codec of a stream's new batches in place of
	// Shard.Codec: it is asked with the stream's account, region and name whenever the
	// stream's shards are opened (the store's start, CreateStream, resharding), and its
	// codec is used where ok is true. The codec is not stored: every batch keeps the codec it
	// was written with, and reads back under any. Default nil: Shard.Codec for every stream.
	StreamCodec func(account, region, name string) (c segment.Codec, ok bool)

	// RetentionInterval is how often expired segments are deleted, and expired closed
	// shards dropped. Default retention.DefaultInterval (30s).
	RetentionInterval time.Duration

	// Now is the clock of status changes, arrival times and iterator expiry. Default
	// time.Now.
	Now func() time.Time

	// Logger receives what the background work deletes and what fails in it. Default
	// slog.Default().
	Logger *slog.Logger

	// Gate, when set, may refuse records, reads and iterators of a shard before the store
	// carries them out: throughput quotas, injected faults. Default nil: nothing refused.
	Gate Gate

	// MaxStreamsChanging, when positive, is how many streams may be CREATING or DELETING
	// at once; CreateStream beyond it is a LimitExceededException, as on AWS (5). Default
	// 0: no limit.
	MaxStreamsChanging int

	// Ephemeral skips every sync under the data directory, of records and of metadata
	// (catalog files, manifests, indexes, directories) alike, whatever Shard.Sync says:
	// for a directory thrown away with the store, as a test server's is. A crash or a
	// power loss may then leave the directory in any state; it is not meant to be opened
	// again. Default false: every change is durable when it returns (see the package doc).
	Ephemeral bool

	// shardIO is a test hook, nil otherwise: it is called with "open" before each shard is
	// opened and with "close" before each is closed (parallel.go).
	shardIO func(op string)
}

// withDefaults returns a copy of o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.Account == "" {
		o.Account = DefaultAccount
	}
	if o.ShardLimit <= 0 {
		o.ShardLimit = DefaultShardLimit
	}
	if o.RetentionInterval <= 0 {
		o.RetentionInterval = retention.DefaultInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Shard.Now == nil {
		o.Shard.Now = o.Now
	}
	if o.Shard.Syncer == nil {
		o.Shard.Syncer = shard.NewSyncer()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Shard.Logger == nil {
		o.Shard.Logger = o.Logger
	}
	return o
}

// Directories of a data directory, beside the catalog and the secret.
const streamsDirName = "streams"

// DeletedMarkerName is the file that marks a stream directory as deleted: remove writes it,
// durably, before it removes the stream from the catalog, so that Open can tell what is left
// of a deleted stream (removed) from a stream directory whose catalog file was lost (kept and
// reported).
const DeletedMarkerName = "DELETED"

// knownDataDirEntries are the names a data directory holds; Open reports any other.
var knownDataDirEntries = map[string]bool{
	catalogDirName: true, streamsDirName: true, secretName: true, secretName + atomicfile.TmpSuffix: true,
	"LOCK": true, // the data-directory lock of shardlog serve

	// the account settings (account.go)
	accountSettingsName: true, accountSettingsName + atomicfile.TmpSuffix: true,

	// the data directories of other accounts and regions (scope.go)
	accountsDirName: true,
	"tls":           true, // the certificate shardlog serve --tls generates
}

// Store holds the streams of one data directory: their catalog, the logs of their shards,
// the iterator key, and the background work of status changes and retention. It carries
// out the Kinesis operations; see the package documentation for its promises.
type Store struct {
	dir  string
	lock *dirlock.Lock // held from Open to Close
	opts Options       // with defaults
	cat  *Catalog
	keys *IteratorKey
	log  *slog.Logger

	accounts *accountFile // the account settings (account.go)

	// errLog writes the errors that may repeat on every request (a full disk, damage met by
	// reads) once per interval, so that they cannot flood the log.
	errLog *lograte.Limiter

	// streams maps names to streams. Operations read it without a lock; CreateStream and
	// the removal of a stream replace it, holding mu.
	streams atomic.Pointer[map[string]*streamEntry]
	mu      sync.Mutex

	// consumersMu serializes consumer registrations, whose limit of CREATING consumers
	// counts those of every stream (consumers.go). Taken before a stream's lock.
	consumersMu sync.Mutex

	// queuesMu serializes CreateQueue and DeleteQueue, whose names and limit of changing
	// queues span every stream (queues.go). Taken before a stream's lock. runs holds the
	// delivery state of the queues used since Open, by queue id, under runsMu
	// (queuedelivery.go), and droppedRuns the ids of the queues deleted since.
	queuesMu    sync.Mutex
	runsMu      sync.Mutex
	runs        map[string]*queueRun
	droppedRuns map[string]bool

	lastIncarnation atomic.Int64 // the largest incarnation handed out or loaded

	recovery Recovery // what Open recovered (recovery.go)

	closed  atomic.Bool
	stop    chan struct{} // closed by Close to stop the maintenance loop
	stopped chan struct{} // closed when the maintenance loop has returned

	// wake asks the maintenance loop for a sweep now (maintain.go); nextSweep is closed when
	// the next sweep to begin has finished, and replaced, under sweepMu, as it begins.
	wake      chan struct{}
	sweepMu   sync.Mutex
	nextSweep chan struct{}

	unskip func() // ends the skipped syncs of an Ephemeral store; nil otherwise

	// faults is a test hook, nil otherwise: it is called before carrying out a reshard and
	// after each step of it (reshard.go), and an error from it stops the reshard there, as a
	// crash would.
	faults func(step string) error
}

// Open opens the store in dataDir, creating the directory if needed. It first locks the
// directory (the file LOCK in it) for the life of the Store: if another Store, in this
// process or another, has it open, Open fails at once with an error matching ErrLocked that
// names the directory and the owner's pid, having read or written nothing else there. Then
// it loads the iterator secret and the catalog, opens the log of every shard, finishes the
// status changes that came due while it was down, removes what is left of deleted streams,
// and starts the background work. A catalog file that cannot be read back fails Open:
// starting without a stream that exists on disk would lose it silently. A shard the catalog
// lists whose directory, manifest or segment is missing or damaged (shard.Open with
// MustExist) does not fail Open: it is quarantined, logged at ERROR with the file, and its
// reads and writes fail with a DamagedShardError naming it, while the other shards are
// served. Other failures of a shard's Open (permissions, I/O) fail Open. A stream directory
// that the catalog does not list and that is not marked deleted (its catalog file was lost)
// is kept and reported at WARN with its path and size, as is any file or directory in the
// data directory or in streams/ that Open does not know: none of them is touched.
func Open(dataDir string, opts Options) (*Store, error) {
	start := time.Now()
	unskip := func() {}
	if opts.Ephemeral {
		var err error
		if unskip, err = atomicfile.SkipSyncs(dataDir); err != nil {
			return nil, fmt.Errorf("stream: open %s: %w", dataDir, err)
		}
	}
	lock, err := lockDir(dataDir)
	if err != nil {
		unskip()
		return nil, fmt.Errorf("stream: open %s: %w", dataDir, err)
	}
	s := &Store{dir: dataDir, lock: lock, opts: opts.withDefaults(), unskip: unskip}
	s.log = s.opts.Logger
	s.errLog = lograte.New(s.log, lograte.DefaultInterval, s.opts.Now)
	empty := map[string]*streamEntry{}
	s.streams.Store(&empty)
	if err := s.open(); err != nil {
		s.closeStreams()
		s.lock.Release()
		unskip()
		return nil, fmt.Errorf("stream: open %s: %w", dataDir, err)
	}
	s.recovery = s.sumRecovery()
	s.recovery.Took = time.Since(start)
	s.stop, s.stopped = make(chan struct{}), make(chan struct{})
	s.wake, s.nextSweep = make(chan struct{}, 1), make(chan struct{})
	go s.maintain(s.stop, s.stopped)
	return s, nil
}

// lockDir creates the data directory if it is missing, and locks it.
func lockDir(dataDir string) (*dirlock.Lock, error) {
	if err := makeDir(dataDir); err != nil {
		return nil, err
	}
	return dirlock.Acquire(dataDir)
}

// open loads everything Open needs, in order, once the directory is locked.
func (s *Store) open() error {
	keys, err := OpenIteratorKey(s.dir)
	if err != nil {
		return err
	}
	s.keys = keys
	if s.cat, err = OpenCatalog(s.dir); err != nil {
		return err
	}
	if s.accounts, err = openAccountFile(s.dir); err != nil {
		return err
	}
	infos, err := s.cat.Load()
	if err != nil {
		return err
	}
	if err := makeDir(s.streamsDir()); err != nil {
		return err
	}
	if err := s.loadAll(infos); err != nil {
		return err
	}
	s.reportUnknown()
	if err := s.removeDeleted(); err != nil {
		return err
	}
	// A process that crashed after making a stream directory, before syncing streams/,
	// leaves a directory that the shards are opened in but that a power loss could undo.
	if err := atomicfile.SyncDir(s.streamsDir()); err != nil {
		return err
	}
	s.settleDue()
	return nil
}

// loadAll opens the shards of every stream of the catalog, streamsAtOnce streams at a time,
// and adds the streams to the store. If one fails, the logs opened are closed and none is
// added.
func (s *Store) loadAll(infos []StreamInfo) error {
	logs := make([][]*shardLog, len(infos))
	err := firstError(inParallel(len(infos), streamsAtOnce, func(i int) error {
		var err error
		logs[i], err = s.openShards(&infos[i], infos[i].Shards, true)
		return err
	}))
	for i := range infos {
		if err != nil {
			s.closeShards(logs[i])
			continue
		}
		s.bumpIncarnation(infos[i].Incarnation)
		e := &streamEntry{}
		e.view.Store(newView(&infos[i], logs[i]))
		s.insert(infos[i].Name, e)
	}
	return err
}

// removeDeleted removes the directories of streams that the catalog no longer has and that
// carry the deleted marker: what a crash left of a stream being removed. Other entries of
// streams/ that the catalog does not account for are orphans: they are kept and reported.
func (s *Store) removeDeleted() error {
	entries, err := os.ReadDir(s.streamsDir())
	if err != nil {
		return err
	}
	streams := *s.streams.Load()
	removed := false
	for _, d := range entries {
		name, inc, ok := parseStreamDirName(d.Name())
		if ok {
			s.bumpIncarnation(inc)
		}
		if e := streams[name]; ok && e != nil && e.view.Load().info.Incarnation == inc {
			continue
		}
		path := filepath.Join(s.streamsDir(), d.Name())
		if !ok || !d.IsDir() || !markedDeleted(path) {
			s.log.Warn("stream: left alone in the streams directory: not a stream of the catalog "+
				"(a stream whose catalog file is lost, or a foreign file); shardlog inspect check lists it",
				"path", path, "bytes", diskUsage(path))
			continue
		}
		s.log.Info("stream: removing files of a deleted stream", "dir", path)
		if err := os.RemoveAll(path); err != nil {
			return err
		}
		removed = true
	}
	if removed {
		return atomicfile.SyncDir(s.streamsDir())
	}
	return nil
}

// reportUnknown logs, once at Open, every entry of the data directory that is not one of
// its own. They are left alone.
func (s *Store) reportUnknown() {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, d := range entries {
		if !knownDataDirEntries[d.Name()] {
			path := filepath.Join(s.dir, d.Name())
			s.log.Warn("stream: left alone in the data directory: not a file of shardlog", "path", path, "bytes", diskUsage(path))
		}
	}
}

// markedDeleted reports whether the stream directory dir carries the deleted marker.
func markedDeleted(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, DeletedMarkerName))
	return err == nil
}

// markDeleted writes the deleted marker into the stream directory dir, durably, if dir
// exists.
func markDeleted(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return atomicfile.WriteFile(filepath.Join(dir, DeletedMarkerName), nil, 0o644)
}

// diskUsage returns the bytes of the regular files under path, for reports.
func diskUsage(path string) int64 {
	var n int64
	filepath.WalkDir(path, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// Close stops the background work, closes every shard cleanly (synced, with the
// clean-shutdown mark), so that the next Open scans nothing, and then unlocks the data
// directory. Operations in flight finish; every later call returns ErrClosed. It does not
// wait for streams whose status change is due: they finish at the next Open.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	close(s.stop)
	<-s.stopped
	s.mu.Lock() // wait for a CreateStream in progress; later ones see closed
	s.mu.Unlock()
	err := s.closeStreams()
	err = errors.Join(err, s.lock.Release())
	s.unskip()
	return err
}

// closeStreams closes the shard logs of every stream, streamsAtOnce streams at a time.
// Status changes check closed under the stream's lock, so none opens logs after this has
// closed the stream's.
func (s *Store) closeStreams() error {
	streams := *s.streams.Load()
	entries := make([]*streamEntry, 0, len(streams))
	for _, e := range streams {
		entries = append(entries, e)
	}
	return errors.Join(inParallel(len(entries), streamsAtOnce, func(i int) error {
		e := entries[i]
		e.mu.Lock()
		defer e.mu.Unlock()
		var err error
		if v := e.view.Load(); v != nil {
			err = s.closeShards(v.shards)
		}
		endSubscriptions(e)
		return err
	})...)
}

// Dir returns the data directory.
func (s *Store) Dir() string { return s.dir }

// nowMs returns the store's clock in ms since the Unix epoch.
func (s *Store) nowMs() int64 { return s.opts.Now().UnixMilli() }

// entry returns the stream named name, or nil.
func (s *Store) entry(name string) *streamEntry { return (*s.streams.Load())[name] }

// insert adds a stream to the map. Called before the store is shared, or with mu held.
func (s *Store) insert(name string, e *streamEntry) {
	next := maps.Clone(*s.streams.Load())
	next[name] = e
	s.streams.Store(&next)
}

// forget takes a stream out of the map, if e is still the one it holds for the name.
func (s *Store) forget(name string, e *streamEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if (*s.streams.Load())[name] != e {
		return
	}
	next := maps.Clone(*s.streams.Load())
	delete(next, name)
	s.streams.Store(&next)
}

// bumpIncarnation records that inc is in use, so that no later stream gets it.
func (s *Store) bumpIncarnation(inc int64) {
	for {
		last := s.lastIncarnation.Load()
		if inc <= last || s.lastIncarnation.CompareAndSwap(last, inc) {
			return
		}
	}
}

// newIncarnation returns an incarnation for a new stream: the creation time in ms, or one
// more than the last one handed out if the clock has not moved on. Incarnations also name
// stream directories, which Open reads back, so they stay unique across restarts as long as
// the clock does not go back past a stream deleted just before.
func (s *Store) newIncarnation(nowMs int64) int64 {
	for {
		last := s.lastIncarnation.Load()
		inc := max(nowMs, last+1)
		if s.lastIncarnation.CompareAndSwap(last, inc) {
			return inc
		}
	}
}

// Paths of the data directory.

func (s *Store) streamsDir() string { return filepath.Join(s.dir, streamsDirName) }

// streamDir returns the directory of a stream's shards: streams/<name>-<incarnation>.
func (s *Store) streamDir(info *StreamInfo) string {
	return filepath.Join(s.streamsDir(), StreamDirName(info))
}

// shardDir returns the directory of a shard's log.
func (s *Store) shardDir(info *StreamInfo, sh *ShardInfo) string {
	return filepath.Join(s.streamDir(info), sh.ID)
}

// parseStreamDirName splits a stream directory name into the stream name and incarnation.
func parseStreamDirName(dir string) (name string, inc int64, ok bool) {
	i := strings.LastIndexByte(dir, '-')
	if i <= 0 {
		return "", 0, false
	}
	inc, err := strconv.ParseInt(dir[i+1:], 10, 64)
	if err != nil || validStreamName(dir[:i]) != nil {
		return "", 0, false
	}
	return dir[:i], inc, true
}

// makeDir creates dir and the missing directories above it, syncing each parent whose
// entries changed, so that the new directories survive a crash.
func makeDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := makeDir(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return atomicfile.SyncDir(parent)
}
