package shard_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shardlog/shardlog/internal/durable"
	"github.com/shardlog/shardlog/shard"
)

// BenchmarkShard_GroupCommitTail takes a PutRecords call of the server apart without HTTP:
// appenders goroutines each write 500 × 100 B records spread over 4 shards that share a
// Syncer (as a stream.Store's shards do), then wait for all 4 (WaitAll), as fast as they
// can. Besides records/s it reports the quantiles of the whole call, of its two halves
// (write: encode and pwrite under the shard locks; wait: the group-commit rounds), of every
// fdatasync the shards ran, and how many rounds finished while a call waited: a call that
// arrives while a round runs waits for the rest of it and for the whole next one.
//
// bench/README.md ("Cost curves: connections, and the PutRecords latency tail") reads the
// figures; run it briefly: -benchtime=2000x -count=3.
func BenchmarkShard_GroupCommitTail(b *testing.B) {
	for _, appenders := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("shards=4/batch=500/size=100B/appenders=%d", appenders), func(b *testing.B) {
			benchGroupCommitTail(b, appenders)
		})
	}
}

// syncClock times every fdatasync of files (not directories).
type syncClock struct {
	mu    sync.Mutex
	times []time.Duration
}

func (c *syncClock) Syncing(_ int, dir string) (func(error), error) {
	if dir != "" {
		return nil, nil
	}
	start := time.Now()
	return func(error) {
		d := time.Since(start)
		c.mu.Lock()
		c.times = append(c.times, d)
		c.mu.Unlock()
	}, nil
}

func benchGroupCommitTail(b *testing.B, appenders int) {
	const nShards, batchLen, size = 4, 500, 100
	y := shard.NewSyncer()
	shards := make([]*shard.Shard, nShards)
	for i := range shards {
		s, err := shard.Open(b.TempDir(), shard.Options{Sync: shard.SyncAlways, Syncer: y})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		shards[i] = s
	}
	recs := benchBatch(batchLen, size)
	per := batchLen / nShards

	type call struct {
		total, write, wait time.Duration
		rounds             uint64
	}
	calls := make([][]call, appenders)
	clock := &syncClock{}
	stop := durable.Watch(clock)
	defer stop()

	work := make(chan struct{})
	var wg sync.WaitGroup
	for w := range appenders {
		wg.Go(func() {
			waits := make([]uint64, nShards)
			errs := make([]error, nShards)
			for range work {
				r0 := y.RoundsDone()
				start := time.Now()
				for i, s := range shards {
					first, _, err := s.Write(recs[i*per : (i+1)*per])
					if err != nil {
						b.Error(err)
						return
					}
					waits[i] = first + uint64(per)
				}
				wrote := time.Now()
				shard.WaitAll(shards, waits, errs)
				end := time.Now()
				for _, err := range errs {
					if err != nil {
						b.Error(err)
						return
					}
				}
				calls[w] = append(calls[w], call{end.Sub(start), wrote.Sub(start), end.Sub(wrote), y.RoundsDone() - r0})
			}
		})
	}
	b.SetBytes(int64(batchBytes(recs)))
	b.ReportAllocs()
	for b.Loop() {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	stop()

	all := slices.Concat(calls...)
	field := func(f func(call) time.Duration) []time.Duration {
		v := make([]time.Duration, len(all))
		for i, c := range all {
			v[i] = f(c)
		}
		slices.Sort(v)
		return v
	}
	q := func(v []time.Duration, p float64) float64 {
		if len(v) == 0 {
			return 0
		}
		return float64(v[min(int(p*float64(len(v))), len(v)-1)].Microseconds())
	}
	total := field(func(c call) time.Duration { return c.total })
	write := field(func(c call) time.Duration { return c.write })
	wait := field(func(c call) time.Duration { return c.wait })
	clock.mu.Lock()
	syncs := slices.Clone(clock.times)
	clock.mu.Unlock()
	slices.Sort(syncs)
	rounds := make([]uint64, len(all))
	for i, c := range all {
		rounds[i] = c.rounds
	}
	slices.Sort(rounds)

	b.ReportMetric(float64(b.N*batchLen)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(q(total, 0.5), "p50-µs")
	b.ReportMetric(q(total, 0.99), "p99-µs")
	b.ReportMetric(q(total, 0.999), "p999-µs")
	b.ReportMetric(q(total, 0.99)/max(q(total, 0.5), 1), "p99/p50")
	b.ReportMetric(q(write, 0.5), "write-p50-µs")
	b.ReportMetric(q(write, 0.99), "write-p99-µs")
	b.ReportMetric(q(wait, 0.5), "wait-p50-µs")
	b.ReportMetric(q(wait, 0.99), "wait-p99-µs")
	b.ReportMetric(q(syncs, 0.5), "fdatasync-p50-µs")
	b.ReportMetric(q(syncs, 0.99), "fdatasync-p99-µs")
	b.ReportMetric(q(syncs, 0.99)/max(q(syncs, 0.5), 1), "fdatasync-p99/p50")
	if len(rounds) > 0 {
		b.ReportMetric(float64(rounds[len(rounds)/2]), "rounds-p50")
		b.ReportMetric(float64(rounds[min(len(rounds)*99/100, len(rounds)-1)]), "rounds-p99")
	}
}

// BenchmarkFdatasync_Floor is the disk alone: one goroutine overwrites a preallocated,
// already synced file sequentially, 12.5 KB at a time (one shard's share of a PutRecords
// call of 500 × 100 B over 4 shards), and fdatasyncs after every write, as a segment's
// appends do under SyncAlways. Its p99/p50 is the floor under any latency made of syncs.
//
// pace=0 syncs back to back; pace=1ms sleeps 1 ms before each write, a rate of syncs the
// disk keeps up with. over-5ms/1000 counts the syncs that took over 5 ms per thousand: a
// disk (or a virtual disk's rate limit) that stalls when it is driven hard shows them at
// pace=0 and not at pace=1ms.
func BenchmarkFdatasync_Floor(b *testing.B) {
	for _, pace := range []time.Duration{0, time.Millisecond} {
		b.Run("pace="+pace.String(), func(b *testing.B) { benchmarkFdatasyncFloor(b, pace) })
	}
}

func benchmarkFdatasyncFloor(b *testing.B, pace time.Duration) {
	const chunk, fileBytes = 12_500, 64 << 20
	f, err := os.Create(filepath.Join(b.TempDir(), "floor"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zeros := make([]byte, 1<<20)
	for range fileBytes / len(zeros) {
		if _, err := f.Write(zeros); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("shardlog"), chunk/8+1)[:chunk]
	var times []time.Duration
	var off int64
	b.SetBytes(chunk)
	for b.Loop() {
		if pace > 0 {
			time.Sleep(pace)
		}
		if off+chunk > fileBytes {
			off = 0
		}
		if _, err := f.WriteAt(data, off); err != nil {
			b.Fatal(err)
		}
		off += chunk
		start := time.Now()
		if err := durable.Fdatasync(f); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slow := 0
	for _, t := range times {
		if t > 5*time.Millisecond {
			slow++
		}
	}
	slices.Sort(times)
	q := func(p float64) float64 {
		return float64(times[min(int(p*float64(len(times))), len(times)-1)].Microseconds())
	}
	b.ReportMetric(q(0.5), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
	b.ReportMetric(q(0.999), "p999-µs")
	b.ReportMetric(q(0.99)/max(q(0.5), 1), "p99/p50")
	b.ReportMetric(float64(slow)*1000/float64(len(times)), "over-5ms/1000")
}
