//go:build linux

package stream_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/powerloss"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// Power-loss tests of what one process leaves to the next: a crash that leaves changes
// visible but not durable, which the next process must make durable before it builds on
// them.

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
			rec, last := powerloss.RecordLast(t, root)
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
			img := last() // the power goes off now
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
	rec, last := powerloss.RecordLast(t, root)
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
	img := last() // the power goes off now
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
			require.NoError(t, err, "the store must open after a power loss (write-back: %v)", p.writeBack)
			defer func() { require.NoError(t, s.Close()) }()
			requireAcknowledged(t, s, first, loggedAcks{log2, p.acks})
		})
	}
}
