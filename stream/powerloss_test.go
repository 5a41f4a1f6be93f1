package stream_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/powerloss"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// The power-loss tests run a store under concurrent writers, with rolls, checkpoints, a
// reshard, and streams created and deleted, while a powerloss.Recorder watches every sync.
// At random syncs they keep the durable state, the state a power loss at that moment would
// leave (only what was synced), and the records acknowledged before it. Afterwards each
// such state is written out, the store is opened on it, and every acknowledged record must
// be there, once, in order and unchanged.

const (
	powerLossSeeds  = 40               // runs of the workload at most (a quarter under -short)
	powerLossBudget = 15 * time.Second // no new run after it (a third under -short)
	powerLossPoints = 16               // crash points kept per run
)

func TestPowerLoss(t *testing.T) {
	powerloss.RunSeeds(t, powerLossSeeds, powerLossBudget, powerLossRun)
}

// ackLog records what the writers wrote and what was acknowledged, per stream and key.
type ackLog struct {
	mu      sync.Mutex
	written map[string]int   // "stream/key" → records written (acknowledged or not)
	acked   map[string][]int // "stream/key" → indexes acknowledged, in order
	deleted map[string]bool  // streams whose DeleteStream started
}

// ackSnapshot is what was acknowledged before a crash: the length of each acked list.
type ackSnapshot struct {
	acked   map[string]int
	deleted map[string]bool
}

func newAckLog() *ackLog {
	return &ackLog{written: map[string]int{}, acked: map[string][]int{}, deleted: map[string]bool{}}
}

func (l *ackLog) snapshot() ackSnapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := ackSnapshot{acked: map[string]int{}, deleted: map[string]bool{}}
	for k, v := range l.acked {
		s.acked[k] = len(v)
	}
	for k, v := range l.deleted {
		s.deleted[k] = v
	}
	return s
}

// crashPoint is the durable state after one sync, and what was acknowledged before it.
type crashPoint struct {
	img  *powerloss.Image
	acks ackSnapshot
	torn bool
}

// powerLossData is the data of the i-th record of a key: the key, i, and padding of a
// length and content derived from both, so that a changed record is seen.
func powerLossData(key string, i int) string {
	n := (i*37 + len(key)*11) % 700
	return key + "/" + strconv.Itoa(i) + "/" + strings.Repeat(string(rune('a'+i%26)), n)
}

func powerLossOptions(c *clock, rng *rand.Rand) stream.Options {
	opts := testOptions(c)
	opts.Shard = shard.Options{
		Sync:               shard.SyncAlways,
		MaxSegmentBytes:    int64(4<<10 + rng.IntN(12<<10)),
		PreallocateBytes:   16 << 10,
		IndexIntervalBytes: 512,
		Codec:              []segment.Codec{segment.CodecNone, segment.CodecS2}[rng.IntN(2)],
	}
	return opts
}

// reservoir keeps len(points) crash points chosen uniformly among all the syncs a
// Recorder sees (reservoir sampling), each with what log had acknowledged by then. torn
// images keep the files' current bytes too.
func reservoir(rec **powerloss.Recorder, log *ackLog, points []*crashPoint, rng *rand.Rand) func(n int) {
	return func(n int) {
		slot := n - 1
		if n > len(points) {
			if slot = rng.IntN(n); slot >= len(points) {
				return
			}
		}
		torn := rng.IntN(2) == 0
		points[slot] = &crashPoint{img: (*rec).ImageLocked(torn), acks: log.snapshot(), torn: torn}
	}
}

// powerLossRun runs the workload in a new data directory, in two lives of the store (the
// first closed cleanly), and then checks each crash point kept: the store opens on it and
// holds what was acknowledged. Half of the points get a second power loss, at a random sync
// while the store recovers from the first and takes more records.
func powerLossRun(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	dir := filepath.Join(powerloss.TempDir(t), "data")
	require.NoError(t, os.Mkdir(dir, 0o755))
	log := newAckLog()
	points := make([]*crashPoint, powerLossPoints)
	var rec *powerloss.Recorder
	rec, err := powerloss.NewRecorder(dir, reservoir(&rec, log, points, rand.New(rand.NewPCG(rng.Uint64(), 1))))
	require.NoError(t, err)

	s, err := stream.Open(dir, powerLossOptions(newClock(), rng))
	require.NoError(t, err)
	mustCreate(t, s, "a", 2)
	mustCreate(t, s, "b", 1)
	var wg sync.WaitGroup
	powerLossWriters(t, &wg, s, log, rng, 25)
	crng := rand.New(rand.NewPCG(rng.Uint64(), 99))
	wg.Go(func() {
		if err := powerLossControl(s, log, crng); err != nil {
			t.Errorf("control: %v", err)
		}
	})
	wg.Wait()
	require.NoError(t, s.Close())
	s, err = stream.Open(dir, powerLossOptions(newClock(), rng)) // the second life
	require.NoError(t, err)
	powerLossWriters(t, &wg, s, log, rng, 8)
	wg.Wait()
	require.NoError(t, s.Close())
	require.NoError(t, rec.Close())
	t.Logf("%d syncs; crash points after syncs %v", rec.Syncs(), crashSyncs(points, 0))

	for _, p := range points {
		if p == nil {
			continue
		}
		t.Run(fmt.Sprintf("sync%d", p.img.Syncs), func(t *testing.T) {
			img := materializePoint(t, p, rng)
			if rng.IntN(2) == 0 {
				powerLossAgain(t, img, rng, loggedAcks{log, p.acks})
				return
			}
			s, err := stream.Open(img, powerLossOptions(newClock(), rng))
			require.NoError(t, err, "the store must open after a power loss (torn writes: %v)", p.torn)
			defer func() { require.NoError(t, s.Close()) }()
			requireAcknowledged(t, s, loggedAcks{log, p.acks})
		})
	}
}

// materializePoint writes p out into a new directory and returns it.
func materializePoint(t *testing.T, p *crashPoint, rng *rand.Rand) string {
	dir := filepath.Join(powerloss.TempDir(t), "data")
	if p.torn {
		require.NoError(t, p.img.MaterializeTorn(dir, rng))
	} else {
		require.NoError(t, p.img.Materialize(dir))
	}
	return dir
}

// powerLossWriters starts three writers of calls PutRecords calls each to streams a and b.
func powerLossWriters(t *testing.T, wg *sync.WaitGroup, s *stream.Store, log *ackLog, rng *rand.Rand, calls int) {
	for w := range 3 {
		wrng := rand.New(rand.NewPCG(rng.Uint64(), uint64(w)))
		wg.Go(func() {
			if err := powerLossWrite(s, log, wrng, []string{"a", "b"}, fmt.Sprintf("w%d", w), calls); err != nil {
				t.Errorf("writer %d: %v", w, err)
			}
		})
	}
}

// powerLossAgain opens the store on dir, the state a first power loss left, whose
// acknowledged records are first, and loses power again at a random sync while the store
// recovers and then takes records into a new stream r. The store must open again and hold
// what was acknowledged before each power loss.
func powerLossAgain(t *testing.T, dir string, rng *rand.Rand, first loggedAcks) {
	log := newAckLog()
	points := make([]*crashPoint, 1)
	var rec *powerloss.Recorder
	rec, err := powerloss.NewRecorder(dir, reservoir(&rec, log, points, rand.New(rand.NewPCG(rng.Uint64(), 2))))
	require.NoError(t, err)
	defer rec.Close()
	require.NoError(t, rec.AssumeDurable())
	s, err := stream.Open(dir, powerLossOptions(newClock(), rng))
	require.NoError(t, err, "the store must open after a power loss")
	requireAcknowledged(t, s, first)
	require.NoError(t, s.CreateStream("r", stream.StreamConfig{ShardCount: 1}))
	require.NoError(t, powerLossWrite(s, log, rng, []string{"r"}, "r", 10))
	require.NoError(t, s.Close())
	require.NoError(t, rec.Close())
	p := points[0]
	require.NotNil(t, p, "syncs in the second life")
	t.Logf("second power loss after sync %d of %d", p.img.Syncs, rec.Syncs())

	s, err = stream.Open(materializePoint(t, p, rng), powerLossOptions(newClock(), rng))
	require.NoError(t, err, "the store must open after a power loss during recovery (torn writes: %v)", p.torn)
	defer func() { require.NoError(t, s.Close()) }()
	requireAcknowledged(t, s, first, loggedAcks{log, p.acks})
}

// crashSyncs returns the syncs after which points were taken, counted from base.
func crashSyncs(points []*crashPoint, base int) []int {
	var n []int
	for _, p := range points {
		if p != nil {
			n = append(n, p.img.Syncs-base)
		}
	}
	slices.Sort(n)
	return n
}

// powerLossWrite makes calls PutRecords calls of 1 to 4 records to the given streams, with
// keys of its own (prefix-k0 to prefix-k3), and logs what was acknowledged.
func powerLossWrite(s *stream.Store, log *ackLog, rng *rand.Rand, streams []string, prefix string, calls int) error {
	for range calls {
		name := streams[rng.IntN(len(streams))]
		var entries []stream.PutEntry
		var keys []string
		log.mu.Lock()
		for range 1 + rng.IntN(4) {
			key := fmt.Sprintf("%s-k%d", prefix, rng.IntN(4))
			i := log.written[name+"/"+key]
			log.written[name+"/"+key]++
			entries = append(entries, stream.PutEntry{PartitionKey: key, Data: []byte(powerLossData(key, i))})
			keys = append(keys, key)
		}
		log.mu.Unlock()
		res, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: name, Entries: entries}, nil)
		if err != nil {
			return fmt.Errorf("PutRecords(%s): %w", name, err)
		}
		log.mu.Lock()
		for j, r := range res {
			if r.ErrorCode == "" {
				k := name + "/" + keys[j]
				_, i, _ := strings.Cut(string(entries[j].Data), "/")
				n, _ := strconv.Atoi(i[:strings.IndexByte(i, '/')])
				log.acked[k] = append(log.acked[k], n)
			}
		}
		log.mu.Unlock()
	}
	return nil
}

// powerLossControl runs the control plane beside the writers, in a random order: a reshard
// of stream a, stream c created and written, stream d created, written and deleted.
func powerLossControl(s *stream.Store, log *ackLog, rng *rand.Rand) error {
	steps := []func() error{
		func() error {
			if rng.IntN(2) == 0 {
				_, err := s.UpdateShardCount("a", 3)
				return err
			}
			return s.SplitShard("a", "shardId-000000000000", "85070591730234615865843651857942052864")
		},
		func() error {
			if err := s.CreateStream("c", stream.StreamConfig{ShardCount: 1 + rng.IntN(2)}); err != nil {
				return err
			}
			return powerLossWrite(s, log, rng, []string{"c"}, "ctl", 10)
		},
		func() error {
			if err := s.CreateStream("d", stream.StreamConfig{ShardCount: 1}); err != nil {
				return err
			}
			if err := powerLossWrite(s, log, rng, []string{"d"}, "ctl", 5); err != nil {
				return err
			}
			log.mu.Lock()
			log.deleted["d"] = true
			log.mu.Unlock()
			return s.DeleteStream("d")
		},
	}
	for _, i := range rng.Perm(len(steps)) {
		if err := steps[i](); err != nil {
			return err
		}
	}
	return nil
}

// loggedAcks is an ackLog and what it had acknowledged at a crash.
type loggedAcks struct {
	log  *ackLog
	acks ackSnapshot
}

// requireAcknowledged checks that the store holds every record acknowledged before the
// crash, per ack log, once each and in order per key, unchanged, and nothing that none of
// the logs wrote. The logs write disjoint keys.
func requireAcknowledged(t *testing.T, s *stream.Store, logs ...loggedAcks) {
	t.Helper()
	want := map[string]map[string][]int{} // stream → "key" → acknowledged indexes
	deleted := map[string]bool{}
	for _, l := range logs {
		for k, n := range l.acks.acked {
			name, key, _ := strings.Cut(k, "/")
			if want[name] == nil {
				want[name] = map[string][]int{}
			}
			want[name][key] = l.log.acked[k][:n]
		}
		for name, d := range l.acks.deleted {
			deleted[name] = deleted[name] || d
		}
	}
	for name, keys := range want {
		_, err := s.DescribeStreamSummary(name)
		var kerr *stream.Error
		if errors.As(err, &kerr) && kerr.Type == stream.TypeResourceNotFound && deleted[name] {
			continue // deleted before the crash
		}
		require.NoError(t, err, "stream %s, with acknowledged records", name)
		got := readWritten(t, s, name, logs)
		for key, acked := range keys {
			for _, i := range acked {
				require.Contains(t, got[key], i, "stream %s key %s: acknowledged record %d lost (read %v)", name, key, i, got[key])
			}
		}
	}
}

// readWritten reads a stream by lineage and returns the indexes read per key, checking that
// each record is one that a log wrote, unchanged, and that a key's indexes increase.
func readWritten(t *testing.T, s *stream.Store, name string, logs []loggedAcks) map[string][]int {
	t.Helper()
	got := map[string][]int{}
	for _, r := range readByLineage(t, s, name) {
		key, rest, ok := strings.Cut(r.data, "/")
		require.True(t, ok, "stream %s: record %q", name, r.data)
		require.Equal(t, key, r.key, "stream %s: record %q under key %q", name, r.data, r.key)
		i, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, '/'), 0)])
		require.NoError(t, err, "stream %s: record %q", name, r.data)
		require.Equal(t, powerLossData(key, i), r.data, "stream %s: record %d of key %s changed", name, i, key)
		written := 0
		for _, l := range logs {
			written += l.log.written[name+"/"+key]
		}
		require.Less(t, i, written, "stream %s: record %d of key %s was never written", name, i, key)
		if prev := got[key]; len(prev) > 0 {
			require.Greater(t, i, prev[len(prev)-1], "stream %s key %s: record %d after %d", name, key, i, prev[len(prev)-1])
		}
		got[key] = append(got[key], i)
	}
	return got
}

// TestOpen_PowerLossAfterCrash covers what a process that crashes (without a power loss)
// can leave visible to the next one but not durable: here a stream directory made, whose
// parent was not synced before the crash. The next Open must make it durable before it
// acknowledges records that depend on it.
func TestOpen_PowerLossAfterCrash(t *testing.T) {
	cases := []struct {
		name string
		// crash leaves in root what the crashed process did, for a stream x; c is the clock.
		crash func(t *testing.T, root string, c *clock)
	}{
		{"stream directory made, streams not synced", func(t *testing.T, root string, c *clock) {
			opts := testOptions(c)
			opts.CreateDelay = time.Minute
			s, err := stream.Open(root, opts)
			require.NoError(t, err)
			require.NoError(t, s.CreateStream("x", stream.StreamConfig{ShardCount: 1}))
			info, err := s.DescribeStreamSummary("x")
			require.NoError(t, err)
			require.NoError(t, s.Close())
			c.Advance(time.Hour) // x is due to become ACTIVE at the next Open
			require.NoError(t, os.Mkdir(filepath.Join(root, "streams", fmt.Sprintf("x-%d", info.Incarnation)), 0o755))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(powerloss.TempDir(t), "data")
			require.NoError(t, os.Mkdir(root, 0o755))
			var last *powerloss.Image
			var rec *powerloss.Recorder
			rec, err := powerloss.NewRecorder(root, func(int) { last = rec.ImageLocked(false) })
			require.NoError(t, err)
			defer rec.Close()
			c := newClock()
			opts := testOptions(c)
			opts.Shard.Sync = shard.SyncAlways
			s, err := stream.Open(root, opts) // the data directory's layout, durable
			require.NoError(t, err)
			require.NoError(t, s.Close())

			tc.crash(t, root, c)
			s, err = stream.Open(root, opts)
			require.NoError(t, err)
			res, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "x", Entry: stream.PutEntry{PartitionKey: "k", Data: []byte("acknowledged")}})
			require.NoError(t, err)
			require.Empty(t, res.ErrorCode)
			img := last // the power goes off now
			require.NoError(t, s.Close())
			require.NoError(t, rec.Close())

			after := filepath.Join(powerloss.TempDir(t), "after")
			require.NoError(t, img.Materialize(after))
			s = mustOpenDir(t, after, testOptions(newClock()))
			_, err = s.DescribeStreamSummary("x")
			require.NoError(t, err, "stream x after a power loss")
			var got []string
			for _, r := range readByLineage(t, s, "x") {
				got = append(got, r.data)
			}
			require.Equal(t, []string{"acknowledged"}, got, "records of x after a power loss")
		})
	}
}

// TestOpen_PowerLossAfterCrashedDelete: DeleteStream removes the stream's catalog file and
// syncs the catalog; a process that crashes between the two leaves the removal visible but
// not durable. The next Open deletes the stream's files as an orphan's, durably; if the
// removal were still not durable, a power loss would bring back a catalog entry whose
// shards are gone, with the records acknowledged in them, or a store that refuses to open.
func TestOpen_PowerLossAfterCrashedDelete(t *testing.T) {
	root := filepath.Join(powerloss.TempDir(t), "data")
	require.NoError(t, os.Mkdir(root, 0o755))
	var last *powerloss.Image
	var rec *powerloss.Recorder
	rec, err := powerloss.NewRecorder(root, func(int) { last = rec.ImageLocked(false) })
	require.NoError(t, err)
	defer rec.Close()
	opts := testOptions(newClock())
	opts.Shard.Sync = shard.SyncAlways
	s, err := stream.Open(root, opts)
	require.NoError(t, err)
	mustCreate(t, s, "x", 1)
	res, err := s.PutRecord(&stream.PutRecordRequest{StreamName: "x", Entry: stream.PutEntry{PartitionKey: "k", Data: []byte("acknowledged")}})
	require.NoError(t, err)
	require.Empty(t, res.ErrorCode)
	require.NoError(t, s.Close())

	// The crashed DeleteStream: the catalog file removed, the catalog directory not synced.
	require.NoError(t, os.Remove(filepath.Join(root, "catalog", "x.json")))
	s, err = stream.Open(root, opts) // removes what is left of x
	require.NoError(t, err)
	require.NoError(t, s.Close())
	img := last // the power goes off now
	require.NoError(t, rec.Close())

	after := filepath.Join(powerloss.TempDir(t), "after")
	require.NoError(t, img.Materialize(after))
	s, err = stream.Open(after, testOptions(newClock()))
	require.NoError(t, err, "open after a power loss")
	defer s.Close()
	if _, err := s.DescribeStreamSummary("x"); err == nil { // DeleteStream never returned: x may be back, whole
		var got []string
		for _, r := range readByLineage(t, s, "x") {
			got = append(got, r.data)
		}
		require.Equal(t, []string{"acknowledged"}, got, "x is back after a power loss, without its records")
	}
}

// errDiskFailed is what every sync returns once the disk of TestPowerLossAfterSyncFailure
// has failed.
var errDiskFailed = errors.New("disk failed (test)")

// TestPowerLossAfterSyncFailure: at a random sync the disk starts failing every sync, and
// the process goes on until it closes, as one does whose fsyncs fail before it exits. It
// leaves changes that are visible but not durable: files renamed and directories made
// whose directories were never synced, tails never synced. A second process opens on what
// it finds (holding every record the first acknowledged), recovers, and takes records into
// a new stream and into every stream the first left; the power goes off at a random sync
// of it, and the store must open and hold what both acknowledged.
func TestPowerLossAfterSyncFailure(t *testing.T) {
	powerloss.RunSeeds(t, 40, 10*time.Second, powerLossAfterSyncFailureRun)
}

func powerLossAfterSyncFailureRun(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	dir := filepath.Join(powerloss.TempDir(t), "data")
	require.NoError(t, os.Mkdir(dir, 0o755))
	log1, log2 := newAckLog(), newAckLog()
	points := make([]*crashPoint, 4)
	var failAt, base atomic.Int64 // base: syncs before the second process, which counts from there
	failAt.Store(math.MaxInt64)
	var rec *powerloss.Recorder
	sample := reservoir(&rec, log2, points, rand.New(rand.NewPCG(rng.Uint64(), 3)))
	rec, err := powerloss.NewRecorder(dir, func(n int) {
		switch {
		case base.Load() > 0:
			sample(n - int(base.Load()))
		case int64(n) == failAt.Load():
			rec.SetFailLocked(errDiskFailed)
		}
	})
	require.NoError(t, err)
	defer rec.Close()

	// The first process.
	s, err := stream.Open(dir, powerLossOptions(newClock(), rng))
	require.NoError(t, err)
	mustCreate(t, s, "a", 2)
	mustCreate(t, s, "b", 1)
	failAt.Store(int64(rec.Syncs() + 1 + rng.IntN(250)))
	var mu sync.Mutex
	var errs []error
	report := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}
	var wg sync.WaitGroup
	for w := range 3 {
		wrng := rand.New(rand.NewPCG(rng.Uint64(), uint64(w)))
		wg.Go(func() { report(powerLossWrite(s, log1, wrng, []string{"a", "b"}, fmt.Sprintf("w%d", w), 25)) })
	}
	crng := rand.New(rand.NewPCG(rng.Uint64(), 99))
	wg.Go(func() { report(powerLossControl(s, log1, crng)) })
	wg.Wait()
	closeErr := s.Close()
	base.Store(int64(rec.Syncs()))
	if base.Load() < failAt.Load() { // the disk never failed: nothing may have
		require.NoError(t, errors.Join(errs...))
		require.NoError(t, closeErr)
	}
	rec.SetFail(nil)
	first := loggedAcks{log1, log1.snapshot()}

	// The second process.
	s, err = stream.Open(dir, powerLossOptions(newClock(), rng))
	require.NoError(t, err, "the store must open after its syncs failed (from sync %d)", failAt.Load())
	requireAcknowledged(t, s, first)
	require.NoError(t, s.CreateStream("r", stream.StreamConfig{ShardCount: 1}))
	streams := []string{"r"}
	for _, name := range []string{"a", "b", "c", "d"} {
		if info, err := s.DescribeStreamSummary(name); err == nil && info.Status != stream.StatusCreating && info.Status != stream.StatusDeleting {
			streams = append(streams, name)
		}
	}
	require.NoError(t, powerLossWrite(s, log2, rng, streams, "r", 12))
	require.NoError(t, s.Close())
	require.NoError(t, rec.Close())
	n := int(base.Load())
	t.Logf("syncs failed from %d of %d; %d syncs in the second process, power loss after %v of them",
		failAt.Load(), n, rec.Syncs()-n, crashSyncs(points, n))

	for _, p := range points {
		if p == nil {
			continue
		}
		t.Run(fmt.Sprintf("sync%d", p.img.Syncs-n), func(t *testing.T) {
			s, err := stream.Open(materializePoint(t, p, rng), powerLossOptions(newClock(), rng))
			require.NoError(t, err, "the store must open after a power loss (torn writes: %v)", p.torn)
			defer func() { require.NoError(t, s.Close()) }()
			requireAcknowledged(t, s, first, loggedAcks{log2, p.acks})
		})
	}
}
