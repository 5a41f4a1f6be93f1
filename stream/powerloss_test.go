//go:build linux

package stream_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/powerloss"
	"github.com/shardlog/shardlog/kinesis"
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
	img       *powerloss.Image
	acks      ackSnapshot
	writeBack powerloss.WriteBack
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
// Recorder sees (reservoir sampling), each with what log had acknowledged by then, and a
// random write-back of what was not synced (the image keeps the files' current bytes for it).
func reservoir(rec **powerloss.Recorder, log *ackLog, points []*crashPoint, rng *rand.Rand) func(n int) {
	return func(n int) {
		slot := n - 1
		if n > len(points) {
			if slot = rng.IntN(n); slot >= len(points) {
				return
			}
		}
		wb := powerloss.RandomWriteBack(rng)
		points[slot] = &crashPoint{img: (*rec).ImageLocked(wb != powerloss.NoWriteBack), acks: log.snapshot(), writeBack: wb}
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
			require.NoError(t, err, "the store must open after a power loss (write-back: %v)", p.writeBack)
			defer func() { require.NoError(t, s.Close()) }()
			requireAcknowledged(t, s, loggedAcks{log, p.acks})
		})
	}
}

// materializePoint writes p out into a new directory and returns it.
func materializePoint(t *testing.T, p *crashPoint, rng *rand.Rand) string {
	dir := filepath.Join(powerloss.TempDir(t), "data")
	require.NoError(t, p.img.MaterializeAs(p.writeBack, dir, rng))
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
	require.NoError(t, err, "the store must open after a power loss during recovery (write-back: %v)", p.writeBack)
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
		var indexes []int
		log.mu.Lock()
		for range 1 + rng.IntN(4) {
			key := fmt.Sprintf("%s-k%d", prefix, rng.IntN(4))
			i := log.written[name+"/"+key]
			log.written[name+"/"+key]++
			entries = append(entries, stream.PutEntry{PartitionKey: key, Data: []byte(powerLossData(key, i))})
			keys, indexes = append(keys, key), append(indexes, i)
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
				log.acked[k] = append(log.acked[k], indexes[j])
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
		var kerr *kinesis.Error
		if errors.As(err, &kerr) && kerr.Type == kinesis.TypeResourceNotFound && deleted[name] {
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
