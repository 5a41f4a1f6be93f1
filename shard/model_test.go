package shard_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// model is the reference log the random test compares the shard with: every record ever
// appended, in a slice, and the rules of the contract applied by brute force.
type model struct {
	recs      []segment.Record // record i has offset i
	lastTime  int64
	floor     uint64
	retention time.Duration
	sealed    bool
}

func (m *model) tip() uint64 { return uint64(len(m.recs)) }

// append stamps recs with the arrival time at now and adds them.
func (m *model) append(recs []segment.Record, now int64) (uint64, int64) {
	first := m.tip()
	m.lastTime = max(m.lastTime, now)
	for _, r := range recs {
		r = copyRecord(r)
		r.Offset, r.TimeMs = m.tip(), m.lastTime
		m.recs = append(m.recs, r)
	}
	return first, m.lastTime
}

// seekTime returns the first offset whose record arrived at or after ms, or the tip.
func (m *model) seekTime(ms int64) uint64 {
	for i, r := range m.recs {
		if r.TimeMs >= ms {
			return uint64(i)
		}
	}
	return m.tip()
}

// horizon returns the trim horizon at now.
func (m *model) horizon(now int64) uint64 {
	return max(m.floor, m.seekTime(now-m.retention.Milliseconds()))
}

// read returns what Read(from, maxRecords, maxBytes) must deliver, and its next offset.
func (m *model) read(now int64, from uint64, maxRecords, maxBytes int) ([]segment.Record, uint64) {
	start := max(from, m.horizon(now))
	if start >= m.tip() {
		return nil, max(from, m.tip())
	}
	var out []segment.Record
	bytes := 0
	for _, r := range m.recs[start:] {
		size := len(r.Data) + len(r.PartitionKey)
		if len(out) > 0 && maxBytes > 0 && bytes+size > maxBytes {
			break
		}
		out = append(out, r)
		bytes += size
		if maxRecords > 0 && len(out) >= maxRecords {
			break
		}
	}
	return out, out[len(out)-1].Offset + 1
}

// setRetention applies a retention change at now.
func (m *model) setRetention(d time.Duration, now int64) {
	if d > m.retention {
		m.floor = m.horizon(now)
	}
	m.retention = d
}

// modelTest drives a shard and the model with the same random operations.
type modelTest struct {
	t    *testing.T
	r    *rand.Rand
	dir  string
	opts shard.Options
	clk  *clock
	s    *shard.Shard
	m    model
	id   uint64 // next record id

	reopens int
	nowMs   int64 // the shard's clock: the fake clock's latest time (it never goes back)
}

// now returns the shard's time as the shard sees it: the latest time of the fake clock,
// and after a reopen at least the newest arrival time.
func (mt *modelTest) now() int64 {
	mt.nowMs = max(mt.nowMs, mt.clk.Ms())
	return mt.nowMs
}

func TestShard_Model(t *testing.T) {
	seed := testutil.Seed(t)
	r := rand.New(rand.NewPCG(seed, 1))
	clk := newClock(1_700_000_000_000)
	codecs := []segment.Codec{segment.CodecNone, segment.CodecS2, segment.CodecZstd}
	opts := shard.Options{
		Sync:               shard.SyncPolicy(r.IntN(3)),
		SyncInterval:       time.Millisecond,
		Codec:              codecs[r.IntN(len(codecs))],
		MaxSegmentBytes:    int64(512 + r.IntN(8<<10)),
		MaxSegmentAge:      time.Duration(10+r.IntN(120)) * time.Minute,
		Retention:          time.Duration(1+r.IntN(48)) * time.Hour,
		IndexIntervalBytes: int64(64 + r.IntN(1024)),
		MaxMappedSegments:  1 + r.IntN(3),
		Now:                clk.Now,
	}
	t.Logf("options: sync %v, codec %v, segments of %d bytes or %v, retention %v, index every %d bytes, %d mapped",
		opts.Sync, opts.Codec, opts.MaxSegmentBytes, opts.MaxSegmentAge, opts.Retention, opts.IndexIntervalBytes, opts.MaxMappedSegments)
	opts = shard.WithCheckpointBytes(opts, int64(1+r.IntN(16<<10)))
	mt := &modelTest{t: t, r: r, dir: t.TempDir(), opts: opts, clk: clk, m: model{retention: opts.Retention}}
	mt.open()
	defer func() { mt.s.Close() }()
	ops := 1500
	if testing.Short() {
		ops = 400
	}
	for i := range ops {
		mt.step(i, i > ops*3/4)
	}
	st := mt.s.Stats()
	t.Logf("%d records appended, %d unexpired, %d segments, %d rolls, %d deleted, %d reopens",
		mt.m.tip(), mt.m.tip()-mt.m.horizon(mt.now()), st.Segments, st.Rolls, st.DeletedSegments, mt.reopens)
}

// open opens the shard under test.
func (mt *modelTest) open() {
	mt.opts.Retention = mt.m.retention
	s, err := shard.Open(mt.dir, mt.opts)
	require.NoError(mt.t, err)
	mt.s = s
	mt.reopens++
	mt.nowMs = max(mt.clk.Ms(), mt.m.lastTime)
	mt.check("open")
}

// step runs one random operation and checks the shard against the model. Seal only comes
// late, so that most operations run on an open shard.
func (mt *modelTest) step(i int, late bool) {
	t, r := mt.t, mt.r
	var name string
	defer func() { mt.check(fmt.Sprintf("op %d (%s)", i, name)) }()
	switch op := r.IntN(100); {
	case op < 40:
		name = "append"
		mt.append()
	case op < 55:
		name = "advance the clock"
		mt.clk.Advance(time.Duration(r.IntN(int(40 * time.Minute))))
	case op < 57:
		name = "step the clock back"
		mt.clk.Advance(-time.Duration(r.IntN(int(time.Minute)))) // a clock step back
	case op < 75:
		name = "read"
		mt.read()
	case op < 82:
		name = "offset at"
		t := mt.randomTime()
		got, err := mt.s.OffsetAt(t)
		require.NoError(mt.t, err, "op %d: OffsetAt(%d)", i, t)
		require.Equal(mt.t, max(mt.m.floor, mt.m.seekTime(max(t, mt.cutoff()))), got, "op %d: OffsetAt(%d)", i, t)
	case op < 86:
		name = "delete expired"
		_, _, err := mt.s.DeleteExpired()
		require.NoError(t, err, "op %d: DeleteExpired", i)
	case op < 89:
		name = "set retention"
		d := time.Duration(1+r.IntN(48)) * time.Hour
		mt.s.SetRetention(d)
		mt.m.setRetention(d, mt.now())
	case op < 93:
		name = "close and reopen"
		require.NoError(t, mt.s.Close(), "op %d: Close", i)
		mt.open()
	case op < 97:
		name = "crash and reopen"
		mt.s.Abandon()
		mt.open()
	case op < 98 && late:
		name = "seal"
		require.NoError(t, mt.s.Seal(), "op %d: Seal", i)
		mt.m.sealed = true
	default:
		name = "pause"
		time.Sleep(time.Millisecond) // let background syncs and checkpoints run
	}
}

func (mt *modelTest) cutoff() int64 { return mt.now() - mt.m.retention.Milliseconds() }

// randomTime returns a time around the records' arrival times.
func (mt *modelTest) randomTime() int64 {
	lo := mt.clk.Ms() - 72*time.Hour.Milliseconds()
	if len(mt.m.recs) > 0 {
		lo = mt.m.recs[0].TimeMs - time.Hour.Milliseconds()
	}
	return lo + mt.r.Int64N(mt.clk.Ms()+time.Hour.Milliseconds()-lo)
}

// append appends a random batch to both.
func (mt *modelTest) append() {
	n := 1 + mt.r.IntN(20)
	recs := make([]segment.Record, n)
	for i := range recs {
		recs[i] = record(mt.id, mt.r.IntN(300))
		if mt.r.IntN(10) == 0 {
			recs[i].PartitionKey = nil
		}
		mt.id++
	}
	first, timeMs, err := mt.s.Append(recs)
	if mt.m.sealed {
		require.ErrorIs(mt.t, err, shard.ErrSealed)
		return
	}
	require.NoError(mt.t, err)
	wantFirst, wantTime := mt.m.append(recs, mt.now())
	require.Equal(mt.t, wantFirst, first, "Append(%d records) first offset", n)
	require.Equal(mt.t, wantTime, timeMs, "Append(%d records) arrival time", n)
}

// read reads from a random offset with random limits from both.
func (mt *modelTest) read() {
	from := uint64(mt.r.IntN(len(mt.m.recs) + 5))
	maxRecords, maxBytes := mt.r.IntN(60), 0
	if mt.r.IntN(2) == 0 {
		maxBytes = mt.r.IntN(5000)
	}
	var got []segment.Record
	next, err := mt.s.Read(from, maxRecords, maxBytes, func(r segment.Record) error {
		got = append(got, copyRecord(r))
		return nil
	})
	require.NoError(mt.t, err)
	want, wantNext := mt.m.read(mt.now(), from, maxRecords, maxBytes)
	require.Equal(mt.t, len(want), len(got), "Read(%d, %d, %d) records", from, maxRecords, maxBytes)
	for i := range want {
		requireSameRecord(mt.t, want[i], got[i])
	}
	require.Equal(mt.t, wantNext, next, "Read(%d, %d, %d) next", from, maxRecords, maxBytes)
}

func requireSameRecord(t *testing.T, want, got segment.Record) {
	t.Helper()
	require.Equal(t, want.Offset, got.Offset, "offset")
	require.Equal(t, want.TimeMs, got.TimeMs, "record %d arrival time", want.Offset)
	require.Equal(t, string(want.PartitionKey), string(got.PartitionKey), "record %d key", want.Offset)
	require.Equal(t, string(want.Data), string(got.Data), "record %d data", want.Offset)
}

// check compares the shard's summary with the model's.
func (mt *modelTest) check(when string) {
	t, s, m := mt.t, mt.s, &mt.m
	now := mt.now()
	require.Equal(t, m.tip(), s.NextOffset(), "%s: NextOffset", when)
	require.Equal(t, m.horizon(now), s.FirstOffset(), "%s: FirstOffset", when)
	require.Equal(t, m.horizon(now) >= m.tip(), s.Empty(), "%s: Empty", when)
	require.Equal(t, m.sealed, s.Sealed(), "%s: Sealed", when)
	wantLast := int64(0)
	if len(m.recs) > 0 {
		wantLast = m.lastTime
	}
	require.Equal(t, wantLast, s.LastTimeMs(), "%s: LastTimeMs", when)
}
