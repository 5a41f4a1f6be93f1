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
	"github.com/shardlog/shardlog/retention"
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

// sweepInterval is how often the background sweep finishes status changes that have come
// due when nobody asked about their stream, so that a deleted stream's files go soon.
const sweepInterval = time.Second

// Options configure a Store. The zero value means every default.
type Options struct {
	// Region and Account name the place streams live in, for ARNs and messages. Defaults
	// us-east-1 and 000000000000. A stream keeps those it was created with.
	Region, Account string

	// CreateDelay, UpdateDelay and DeleteDelay are how long a stream stays CREATING,
	// UPDATING and DELETING. Default 0: the change is done at once. Kinesis clients and
	// kinesalite's tests expect about 500ms, which is what the shardlog command sets.
	CreateDelay, UpdateDelay, DeleteDelay time.Duration

	// ShardLimit is the number of open shards allowed across all streams; CreateStream
	// beyond it is a LimitExceededException. Default DefaultShardLimit (1000).
	ShardLimit int

	// Shard configures every shard's log: sync policy, codec, segment sizes. Its Retention
	// and CreatedMs are set per shard by the Store, and its Now defaults to Options.Now.
	Shard shard.Options

	// RetentionInterval is how often expired segments are deleted, and expired closed
	// shards dropped. Default retention.DefaultInterval (30s).
	RetentionInterval time.Duration

	// Now is the clock of status changes, arrival times and iterator expiry. Default
	// time.Now.
	Now func() time.Time

	// Logger receives what the background work deletes and what fails in it. Default
	// slog.Default().
	Logger *slog.Logger
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
	return o
}

// Directories of a data directory, beside the catalog and the secret.
const streamsDirName = "streams"

// Store holds the streams of one data directory: their catalog, the logs of their shards,
// the iterator key, and the background work of status changes and retention. It carries
// out the Kinesis operations; see the package documentation for its promises.
type Store struct {
	dir  string
	opts Options // with defaults
	cat  *Catalog
	keys *IteratorKey
	loop *retention.Loop
	log  *slog.Logger

	// streams maps names to streams. Operations read it without a lock; CreateStream and
	// the removal of a stream replace it, holding mu.
	streams atomic.Pointer[map[string]*streamEntry]
	mu      sync.Mutex

	lastIncarnation atomic.Int64 // the largest incarnation handed out or loaded

	closed  atomic.Bool
	stop    chan struct{} // closed by Close to stop the background work
	stopped chan struct{} // closed when the background work has returned

	// faults is a test hook, nil otherwise: it is called before carrying out a reshard and
	// after each step of it (reshard.go), and an error from it stops the reshard there, as a
	// crash would.
	faults func(step string) error
}

// Open opens the store in dataDir, creating the directory if needed: it loads the iterator
// secret and the catalog, opens the log of every shard, finishes the status changes that
// came due while it was down, removes the files of streams the catalog no longer has, and
// starts the background work. A catalog file that cannot be read back fails Open: starting
// without a stream that exists on disk would lose it silently.
func Open(dataDir string, opts Options) (*Store, error) {
	s := &Store{dir: dataDir, opts: opts.withDefaults()}
	s.log = s.opts.Logger
	s.loop = retention.NewLoop(s.opts.RetentionInterval, s.log)
	empty := map[string]*streamEntry{}
	s.streams.Store(&empty)
	if err := s.open(); err != nil {
		s.closeStreams()
		return nil, fmt.Errorf("stream: open %s: %w", dataDir, err)
	}
	s.stop, s.stopped = make(chan struct{}), make(chan struct{})
	go s.background(s.stop, s.stopped)
	return s, nil
}

// open loads everything Open needs, in order.
func (s *Store) open() error {
	if err := makeDir(s.dir); err != nil {
		return err
	}
	keys, err := OpenIteratorKey(s.dir)
	if err != nil {
		return err
	}
	s.keys = keys
	if s.cat, err = OpenCatalog(s.dir); err != nil {
		return err
	}
	infos, err := s.cat.Load()
	if err != nil {
		return err
	}
	if err := makeDir(s.streamsDir()); err != nil {
		return err
	}
	for i := range infos {
		if err := s.load(&infos[i]); err != nil {
			return err
		}
	}
	if err := s.removeOrphans(); err != nil {
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

// load opens the shards of a stream from the catalog and adds it to the store.
func (s *Store) load(info *StreamInfo) error {
	s.bumpIncarnation(info.Incarnation)
	logs, err := s.openShards(info, info.Shards)
	if err != nil {
		return err
	}
	e := &streamEntry{}
	e.view.Store(newView(info, logs))
	s.addShards(logs)
	s.insert(info.Name, e)
	return nil
}

// removeOrphans removes the directories of streams that are not in the catalog: what a
// crash left of a stream being removed.
func (s *Store) removeOrphans() error {
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
		s.log.Info("stream: removing files of a deleted stream", "dir", d.Name())
		if err := os.RemoveAll(filepath.Join(s.streamsDir(), d.Name())); err != nil {
			return err
		}
		removed = true
	}
	if removed {
		return atomicfile.SyncDir(s.streamsDir())
	}
	return nil
}

// Close stops the background work and closes every shard cleanly (synced, with the
// clean-shutdown mark), so that the next Open scans nothing. Operations in flight finish;
// every later call returns ErrClosed. It does not wait for streams whose status change is
// due: they finish at the next Open.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	close(s.stop)
	<-s.stopped
	s.mu.Lock() // wait for a CreateStream in progress; later ones see closed
	s.mu.Unlock()
	return s.closeStreams()
}

// closeStreams closes the shard logs of every stream. Status changes check closed under the
// stream's lock, so none opens logs after this has closed the stream's.
func (s *Store) closeStreams() error {
	var errs []error
	for _, e := range *s.streams.Load() {
		e.mu.Lock()
		if v := e.view.Load(); v != nil {
			errs = append(errs, s.closeShards(v.shards))
		}
		e.mu.Unlock()
	}
	return errors.Join(errs...)
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
	return filepath.Join(s.streamsDir(), info.Name+"-"+strconv.FormatInt(info.Incarnation, 10))
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
