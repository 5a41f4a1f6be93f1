package index_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/internal/testutil"
)

// refBatch is one batch of a reference segment: its records occupy
// [offset, offset+count) and [position, position+size), arriving from timeMs.
type refBatch struct {
	offset   uint64
	count    uint64
	position int64
	size     int64
	timeMs   int64 // first record
	lastMs   int64 // last record
}

// randomSegment returns the batches of a random segment.
func randomSegment(r *rand.Rand, base uint64, interval int64, n int) []refBatch {
	batches := make([]refBatch, 0, n)
	off, pos, ms := base, int64(64), r.Int64N(1<<40)
	for range n {
		b := refBatch{offset: off, count: 1 + r.Uint64N(50), position: pos, size: 1 + r.Int64N(3*interval), timeMs: ms}
		if r.IntN(3) > 0 {
			ms += r.Int64N(4) // records of one batch often share a time
		}
		b.lastMs = ms
		batches = append(batches, b)
		off += b.count
		pos += b.size
		if r.IntN(2) == 0 {
			ms += r.Int64N(3)
		}
	}
	return batches
}

// refKept applies the keeping rule by hand: the first batch, then each batch at least
// interval bytes past the last kept one.
func refKept(batches []refBatch, interval int64) []index.Entry {
	var kept []index.Entry
	for _, b := range batches {
		if len(kept) == 0 || b.position-kept[len(kept)-1].Position >= interval {
			kept = append(kept, index.Entry{Offset: b.offset, Position: b.position, TimeMs: b.timeMs})
		}
	}
	return kept
}

// refSeek is Seek by linear scan over the kept entries.
func refSeek(kept []index.Entry, offset uint64) index.Entry {
	e := kept[0]
	for _, k := range kept {
		if k.Offset <= offset {
			e = k
		}
	}
	return e
}

// refSeekTime is SeekTime by linear scan over the kept entries.
func refSeekTime(kept []index.Entry, ms int64) index.Entry {
	e := kept[0]
	for _, k := range kept {
		if k.TimeMs < ms {
			e = k
		}
	}
	return e
}

func metaOf(batches []refBatch, base uint64) index.Meta {
	last := batches[len(batches)-1]
	return index.Meta{
		BaseOffset:  base,
		NextOffset:  last.offset + last.count,
		End:         last.position + last.size,
		FirstTimeMs: batches[0].timeMs,
		LastTimeMs:  last.lastMs,
	}
}

func TestIndex_Random_SeekMatchesLinearScan(t *testing.T) {
	r := testutil.Rand(t)
	rounds := 40
	if testing.Short() {
		rounds = 8
	}
	for round := range rounds {
		base := r.Uint64N(1 << 50)
		interval := []int64{1, 100, 4096, 1 << 20}[r.IntN(4)]
		batches := randomSegment(r, base, min(interval, 8192), 1+r.IntN(1500))
		kept := refKept(batches, interval)
		m := metaOf(batches, base)

		x := index.New(base, interval)
		for _, b := range batches {
			x.Add(index.Entry{Offset: b.offset, Position: b.position, TimeMs: b.timeMs})
		}
		require.Equal(t, kept, entries(x), "round %d: kept entries", round)
		y, _ := mustOpen(t, x, m)

		for _, ix := range []*index.Index{x, y} {
			for range 300 {
				off := m.BaseOffset - 5 + r.Uint64N(m.NextOffset-m.BaseOffset+10)
				e, ok := ix.Seek(off)
				require.True(t, ok)
				require.Equal(t, refSeek(kept, off), e, "round %d: Seek(%d)", round, off)

				ms := m.FirstTimeMs - 5 + r.Int64N(m.LastTimeMs-m.FirstTimeMs+10)
				e, ok = ix.SeekTime(ms)
				require.True(t, ok)
				require.Equal(t, refSeekTime(kept, ms), e, "round %d: SeekTime(%d)", round, ms)
			}
		}
	}
}

// TestIndex_Random_ScanFromSeek checks the property callers rely on: scanning the batches
// forward from the entry Seek returns finds the batch holding the offset, and scanning from
// the entry SeekTime returns finds the first record at or after the time, without passing
// more than one interval of bytes plus one batch.
func TestIndex_Random_ScanFromSeek(t *testing.T) {
	r := testutil.Rand(t)
	const interval = 4096
	base := r.Uint64N(1 << 40)
	batches := randomSegment(r, base, interval, 3000)
	x := mustNew(t, base, interval, nil)
	for _, b := range batches {
		x.Add(index.Entry{Offset: b.offset, Position: b.position, TimeMs: b.timeMs})
	}
	at := func(pos int64) int { // batch starting at pos
		for i, b := range batches {
			if b.position == pos {
				return i
			}
		}
		t.Fatalf("no batch starts at position %d", pos)
		return -1
	}
	for _, b := range batches {
		for _, off := range []uint64{b.offset, b.offset + b.count - 1} {
			e, _ := x.Seek(off)
			i := at(e.Position)
			for batches[i].offset+batches[i].count <= off {
				i++
			}
			require.Equal(t, b.offset, batches[i].offset, "scan from Seek(%d) found the wrong batch", off)
			require.Less(t, b.position-e.Position, int64(interval), "Seek(%d) starts more than one interval before its batch", off)
		}
	}
	m := metaOf(batches, base)
	for ms := m.FirstTimeMs - 2; ms <= m.LastTimeMs+2; ms++ {
		e, _ := x.SeekTime(ms)
		i := at(e.Position)
		for i < len(batches) && batches[i].lastMs < ms {
			i++
		}
		want := len(batches)
		for j, b := range batches {
			if b.lastMs >= ms {
				want = j
				break
			}
		}
		require.Equal(t, want, i, "scan from SeekTime(%d) found batch %d, want %d", ms, i, want)
	}
}
