package segment_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
)

// refLog is the in-memory reference: the batches a segment should hold.
type refLog struct {
	first   uint64
	batches []segment.BatchInfo
	recs    [][]segment.Record
}

func (m *refLog) next() uint64 {
	if len(m.batches) == 0 {
		return m.first
	}
	return m.batches[len(m.batches)-1].NextOffset()
}

func (m *refLog) end() int64 {
	if len(m.batches) == 0 {
		return segment.HeaderSize
	}
	return m.batches[len(m.batches)-1].End()
}

func (m *refLog) lastTime() int64 {
	if len(m.batches) == 0 {
		return 1_700_000_000_000
	}
	return m.batches[len(m.batches)-1].LastTimeMs
}

// modelRun drives a real Writer, Reader and Scan with random operations and compares them
// with the reference after each.
type modelRun struct {
	t    *testing.T
	rng  *rand.Rand
	dir  string
	path string
	ref  refLog
	w    *segment.Writer
	r    *segment.Reader
	gen  int // file generation, for crash copies
}

const modelCapacity = 32 << 20

func TestWriter_AgainstReference(t *testing.T) {
	seed := testutil.Seed(t)
	m := &modelRun{t: t, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), dir: memTempDir(t)}
	m.ref.first = m.rng.Uint64N(1 << 40)
	m.path = filepath.Join(m.dir, "0.seg")
	var err error
	m.w, err = segment.Create(m.path, m.ref.first, 1, segment.WriterOptions{Codec: m.codec(), PreallocateBytes: 1 << 16})
	require.NoError(t, err)
	m.openReader()
	defer func() { _ = m.w.Close(); _ = m.r.Close() }()

	ops := 400
	if testing.Short() {
		ops = 100
	}
	for range ops {
		switch p := m.rng.IntN(100); {
		case p < 60:
			m.append()
		case p < 70:
			require.NoError(t, m.w.Sync())
		case p < 85:
			m.readRandom()
		case p < 92:
			m.reopen()
		default:
			m.crash()
		}
	}
	m.readRandom()
	m.reopen()
	got, infos := readAll(t, m.r, m.ref.end())
	require.Equal(t, m.ref.batches, infos)
	var want []segment.Record
	for _, recs := range m.ref.recs {
		want = append(want, recs...)
	}
	requireSameRecords(t, want, got, m.ref.first)
}

func (m *modelRun) codec() segment.Codec { return codecs[m.rng.IntN(len(codecs))] }

func (m *modelRun) openReader() {
	var err error
	m.r, err = segment.OpenReader(m.path, modelCapacity)
	require.NoError(m.t, err)
}

// randomRecords makes a batch: empty and long keys, small and large data, some compressible.
func (m *modelRun) randomRecords() []segment.Record {
	n := 1 + m.rng.IntN(40)
	t := m.ref.lastTime() + m.rng.Int64N(3)
	recs := make([]segment.Record, n)
	for i := range recs {
		t += m.rng.Int64N(2)
		size := m.rng.IntN(300)
		if m.rng.IntN(20) == 0 {
			size = 5000
		}
		data := make([]byte, size)
		if m.rng.IntN(2) == 0 {
			for j := range data {
				data[j] = byte(m.rng.Uint32())
			}
		} else {
			for j := range data {
				data[j] = "abcab"[j%5]
			}
		}
		key := make([]byte, m.rng.IntN(20))
		for j := range key {
			key[j] = byte('a' + m.rng.IntN(26))
		}
		recs[i] = segment.Record{TimeMs: t, PartitionKey: key, Data: data}
	}
	return recs
}

func (m *modelRun) append() {
	recs := m.randomRecords()
	info, err := m.w.Append(recs)
	require.NoError(m.t, err)
	require.Equal(m.t, m.ref.next(), info.FirstOffset, "Append(%d records) first offset", len(recs))
	require.Equal(m.t, m.ref.end(), info.Position, "Append(%d records) position", len(recs))
	require.Equal(m.t, len(recs), info.Count)
	m.ref.batches = append(m.ref.batches, info)
	m.ref.recs = append(m.ref.recs, recs)
	require.Equal(m.t, m.ref.end(), m.w.Size())
	require.Equal(m.t, m.ref.next(), m.w.NextOffset())
}

func (m *modelRun) readRandom() {
	if len(m.ref.batches) == 0 {
		return
	}
	i := m.rng.IntN(len(m.ref.batches))
	want := m.ref.batches[i]
	info, got, err := m.r.ReadBatch(nil, want.Position, m.ref.end())
	require.NoError(m.t, err, "ReadBatch of batch %d at %d", i, want.Position)
	require.Equal(m.t, want, info)
	requireSameRecords(m.t, m.ref.recs[i], got, want.FirstOffset)
}

// reopen closes the writer cleanly, scans, and reopens with a random codec.
func (m *modelRun) reopen() {
	require.NoError(m.t, m.w.Close())
	m.rescan(m.path, segment.ScanOptions{Tail: true})
}

// crash copies the file as a crash would leave it (the preallocated tail included), maybe
// tearing the last batch at a sector boundary, and continues on the copy.
func (m *modelRun) crash() {
	img, err := os.ReadFile(m.path)
	require.NoError(m.t, err)
	require.NoError(m.t, m.w.Close())
	if n := len(m.ref.batches); n > 0 && m.rng.IntN(2) == 0 {
		last := m.ref.batches[n-1]
		// A crash tears a write at a sector boundary (see Scan); a batch that holds none
		// is either all there or missing.
		cut := last.Position
		if first, end := (last.Position/512+1)*512, last.End(); first < end {
			cut = first + 512*m.rng.Int64N((end-first+511)/512)
		}
		clear(img[cut:])
		m.ref.batches, m.ref.recs = m.ref.batches[:n-1], m.ref.recs[:n-1]
	}
	m.gen++
	m.path = filepath.Join(m.dir, "crash-"+string(rune('a'+m.gen%26))+".seg")
	_ = os.Remove(m.path)
	require.NoError(m.t, os.WriteFile(m.path, img, 0o644))
	m.rescan(m.path, segment.ScanOptions{Tail: true})
}

func (m *modelRun) rescan(path string, opts segment.ScanOptions) {
	require.NoError(m.t, m.r.Close())
	res, err := segment.Scan(path, opts)
	require.NoError(m.t, err)
	require.Equal(m.t, m.ref.end(), res.End, "Scan end")
	require.Equal(m.t, m.ref.next(), res.NextOffset, "Scan next offset")
	require.Equal(m.t, len(m.ref.batches), res.Batches, "Scan batches")
	m.w, err = segment.OpenWriter(path, res.End, res.NextOffset, segment.WriterOptions{Codec: m.codec(), PreallocateBytes: 1 << 16})
	require.NoError(m.t, err)
	m.openReader()
}
