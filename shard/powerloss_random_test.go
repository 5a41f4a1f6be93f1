//go:build linux

package shard_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/powerloss"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// The shard's power-loss test: concurrent appenders under SyncAlways (or, in a third of the
// runs, SyncNone, where only rolls, checkpoints and Close sync), with small segments
// (rolls), frequent checkpoints and retention deleting old segments as the clock moves,
// over two lives of the shard and a final Seal, while a powerloss.Recorder keeps the durable
// state at random syncs. The shard must open on each (so no manifest or index points past
// synced data) with dense offsets and only records that were written, and under SyncAlways
// hold every record acknowledged before it and not expired since, at its offset, unchanged.

const (
	shardPowerLossSeeds  = 40               // runs at most (a quarter under -short)
	shardPowerLossBudget = 10 * time.Second // no new run after it (a third under -short)
	shardPowerLossPoints = 16               // crash points kept per run
)

func TestPowerLoss(t *testing.T) {
	powerloss.RunSeeds(t, shardPowerLossSeeds, shardPowerLossBudget, shardPowerLossRun)
}

// shardAcks are the records written and acknowledged.
type shardAcks struct {
	mu      sync.Mutex
	acked   map[uint64]ackedRecord // by offset
	written map[string]bool
}

type ackedRecord struct {
	data   string
	timeMs int64
}

func (a *shardAcks) snapshot() map[uint64]ackedRecord {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.acked)
}

type shardCrashPoint struct {
	img       *powerloss.Image
	acked     map[uint64]ackedRecord
	writeBack powerloss.WriteBack
}

func shardPowerLossRun(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	root := filepath.Join(powerloss.TempDir(t), "root")
	require.NoError(t, os.Mkdir(root, 0o755))
	dir := filepath.Join(root, "shard")
	acks := &shardAcks{acked: map[uint64]ackedRecord{}, written: map[string]bool{}}
	points := make([]*shardCrashPoint, shardPowerLossPoints)
	pick := rand.New(rand.NewPCG(rng.Uint64(), 1))
	var rec *powerloss.Recorder
	rec, err := powerloss.NewRecorder(root, func(n int) {
		slot := n - 1
		if n > len(points) {
			if slot = pick.IntN(n); slot >= len(points) {
				return
			}
		}
		wb := powerloss.RandomWriteBack(pick)
		points[slot] = &shardCrashPoint{img: rec.ImageLocked(wb != powerloss.NoWriteBack), acked: acks.snapshot(), writeBack: wb}
	})
	require.NoError(t, err)
	clk := newClock(plT0)
	opts := shard.Options{
		Sync:               []shard.SyncPolicy{shard.SyncAlways, shard.SyncAlways, shard.SyncNone}[rng.IntN(3)],
		Now:                clk.Now,
		Retention:          time.Minute,
		MaxSegmentBytes:    int64(4<<10 + rng.IntN(8<<10)),
		PreallocateBytes:   8 << 10,
		IndexIntervalBytes: 256,
		Codec:              []segment.Codec{segment.CodecNone, segment.CodecS2}[rng.IntN(2)],
	}
	opts = shard.WithCheckpointBytes(opts, 2<<10)

	var deleted uint64
	for life := range 2 {
		s, err := shard.Open(dir, opts)
		require.NoError(t, err)
		var wg sync.WaitGroup
		for w := range 4 {
			wrng := rand.New(rand.NewPCG(rng.Uint64(), uint64(w)))
			var expire func()
			if w == 0 { // moves the clock on and deletes what expired, as the appends go
				expire = func() {
					clk.Advance(15 * time.Second)
					if _, _, err := s.DeleteExpired(); err != nil {
						t.Errorf("DeleteExpired: %v", err)
					}
				}
			}
			wg.Go(func() { shardPowerLossAppend(t, s, acks, wrng, fmt.Sprintf("%d.%d", life, w), 30, expire) })
		}
		wg.Wait()
		deleted += s.Stats().DeletedSegments
		if life == 1 {
			require.NoError(t, s.Seal())
		}
		require.NoError(t, s.Close())
	}
	require.NoError(t, rec.Close())
	t.Logf("%d syncs, %d segments deleted by retention", rec.Syncs(), deleted)
	// Opened at the end time, the shard hides what expired by then, and no more.
	expiredBefore := clk.Ms() - opts.Retention.Milliseconds()

	for _, p := range points {
		if p == nil {
			continue
		}
		t.Run(fmt.Sprintf("sync%d", p.img.Syncs), func(t *testing.T) {
			after := filepath.Join(powerloss.TempDir(t), "after")
			require.NoError(t, p.img.MaterializeAs(p.writeBack, after, rng))
			s, err := shard.Open(filepath.Join(after, "shard"), opts)
			require.NoError(t, err, "the shard must open after a power loss (write-back: %v)", p.writeBack)
			defer s.Close()
			got := map[uint64]string{}
			want := s.FirstOffset()
			_, err = s.Read(0, 0, 0, func(r segment.Record) error {
				require.Equal(t, want, r.Offset, "offsets are dense")
				want++
				require.True(t, acks.written[string(r.Data)], "record %d: %q was never written", r.Offset, r.Data)
				got[r.Offset] = string(r.Data)
				return nil
			})
			require.NoError(t, err)
			if opts.Sync != shard.SyncAlways {
				return // acknowledged is not durable; the checks above hold all the same
			}
			for off, r := range p.acked {
				if data, ok := got[off]; ok || r.timeMs >= expiredBefore {
					require.Equal(t, r.data, data, "acknowledged record at offset %d, arrived at %d, expired before %d", off, r.timeMs, expiredBefore)
				}
			}
		})
	}
}

// shardPowerLossAppend makes n appends of 1 to 3 records with data of its own, and records
// the acknowledged ones. If expire is not nil, it calls it after every fifth append.
func shardPowerLossAppend(t *testing.T, s *shard.Shard, acks *shardAcks, rng *rand.Rand, name string, n int, expire func()) {
	for i := range n {
		if expire != nil && i%5 == 4 {
			expire()
		}
		recs := make([]segment.Record, 1+rng.IntN(3))
		acks.mu.Lock()
		for j := range recs {
			data := fmt.Sprintf("%s/%d/%d/", name, i, j) + strings.Repeat("x", rng.IntN(600))
			acks.written[data] = true
			recs[j] = segment.Record{TimeMs: plT0, PartitionKey: []byte(name), Data: []byte(data)}
		}
		acks.mu.Unlock()
		first, timeMs, err := s.Append(recs)
		if err != nil {
			t.Errorf("Append: %v", err)
			return
		}
		acks.mu.Lock()
		for j, r := range recs {
			acks.acked[first+uint64(j)] = ackedRecord{string(r.Data), timeMs}
		}
		acks.mu.Unlock()
	}
}
