package segment_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
)

// smallSegment is a closed segment of a few batches, kept in memory with what it holds.
type smallSegment struct {
	image   []byte
	batches []segment.BatchInfo
	recs    [][]segment.Record // records of each batch
}

// recordsBefore returns the records of the batches that end at or before pos.
func (s *smallSegment) recordsBefore(pos int64) ([]segment.Record, int) {
	var recs []segment.Record
	n := 0
	for i, b := range s.batches {
		if b.End() > pos {
			break
		}
		recs = append(recs, s.recs[i]...)
		n++
	}
	return recs, n
}

// batchAt returns the index of the batch holding byte position pos, or -1 in the header.
func (s *smallSegment) batchAt(pos int64) int {
	for i, b := range s.batches {
		if pos >= b.Position && pos < b.End() {
			return i
		}
	}
	return -1
}

// buildSmall writes a segment with the given batch sizes and returns its image.
func buildSmall(t *testing.T, codec segment.Codec, first uint64, sizes ...int) *smallSegment {
	t.Helper()
	w, path := mustCreate(t, first, segment.WriterOptions{Codec: codec})
	s := &smallSegment{}
	t0 := int64(1_700_000_000_000)
	for i, n := range sizes {
		recs := makeRecords(n, 40, t0+int64(i)*100)
		info, err := w.Append(recs)
		require.NoError(t, err)
		s.batches = append(s.batches, info)
		s.recs = append(s.recs, recs)
	}
	require.NoError(t, w.Close())
	var err error
	s.image, err = os.ReadFile(path)
	require.NoError(t, err)
	return s
}

// scanImage writes image to path and scans it.
func scanImage(t *testing.T, path string, image []byte, opts segment.ScanOptions) (segment.ScanResult, error) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, image, 0o644))
	return segment.Scan(path, opts)
}

// readWhatScanKept reads the file at path up to end and returns the records.
func readWhatScanKept(t *testing.T, path string, end int64) []segment.Record {
	t.Helper()
	r, err := segment.OpenReader(path, 0)
	require.NoError(t, err)
	defer r.Close()
	got, _ := readAll(t, r, end)
	return got
}

func TestScan_TruncateEveryByte(t *testing.T) {
	for _, c := range []segment.Codec{segment.CodecNone, segment.CodecZstd} {
		for _, zeros := range []int{0, 4096} {
			t.Run(fmt.Sprintf("codec=%s/prealloc=%d", c, zeros), func(t *testing.T) {
				s := buildSmall(t, c, 50, 1, 4, 2, 7)
				path := filepath.Join(memTempDir(t), "cut.seg")
				step := 1
				if testing.Short() {
					step = 7
				}
				for n := 0; n <= len(s.image); n += step {
					img := append(bytes.Clone(s.image[:n]), make([]byte, zeros)...)
					want, batches := s.recordsBefore(int64(n))
					boundary := n == segment.HeaderSize || (batches > 0 && s.batches[batches-1].End() == int64(n))
					wantEnd := int64(segment.HeaderSize)
					if batches > 0 {
						wantEnd = s.batches[batches-1].End()
					}

					res, err := scanImage(t, path, img, segment.ScanOptions{})
					switch {
					case n < segment.HeaderSize && (zeros == 0 || n == 0):
						require.ErrorIs(t, err, segment.ErrShortHeader, "Scan(cut at %d)", n)
						continue
					case n < segment.HeaderSize:
						require.True(t, errors.Is(err, segment.ErrBadMagic) || errors.Is(err, segment.ErrBadVersion) ||
							errors.Is(err, segment.ErrBadHeaderChecksum), "Scan(header cut at %d, then zeros): %v", n, err)
						continue
					case boundary:
						require.NoError(t, err, "Scan(cut at batch boundary %d)", n)
						require.Equal(t, wantEnd, res.End)
					default:
						require.ErrorIs(t, err, segment.ErrCorrupt, "Scan(cut at %d) without Tail", n)
					}

					res, err = scanImage(t, path, img, segment.ScanOptions{Tail: true})
					if zeros > 0 && !boundary && n%512 != 0 && err != nil {
						// A cut inside a sector, with zeros after it, is not what a crash
						// leaves (writes land in whole sectors): it may be taken for damage
						// to a complete batch, but only at the batch that holds the cut.
						var ce *segment.CorruptionError
						require.ErrorAs(t, err, &ce, "Scan(cut at %d, then zeros, Tail)", n)
						require.Equal(t, wantEnd, ce.Offset, "Scan(cut at %d, then zeros, Tail) corruption position", n)
						continue
					}
					require.NoError(t, err, "Scan(cut at %d, Tail)", n)
					require.Equal(t, wantEnd, res.End, "Scan(cut at %d, Tail) end", n)
					require.Equal(t, 50+uint64(len(want)), res.NextOffset, "Scan(cut at %d, Tail) next offset", n)
					require.Equal(t, batches, res.Batches)
					require.LessOrEqual(t, res.DroppedBytes, int64(n)-wantEnd)
					if !boundary {
						require.Positive(t, res.DroppedBytes, "Scan(cut at %d, Tail) dropped bytes", n)
					}
					fi, err := os.Stat(path)
					require.NoError(t, err)
					if boundary {
						require.Equal(t, int64(len(img)), fi.Size(), "a clean end keeps the preallocated zeros")
					} else {
						require.Equal(t, wantEnd, fi.Size(), "file size after cutting a torn tail")
					}
					got := readWhatScanKept(t, path, res.End)
					requireSameRecords(t, want, got, 50)
				}
			})
		}
	}
}

func TestScan_FlipEveryBit(t *testing.T) {
	for _, c := range []segment.Codec{segment.CodecNone, segment.CodecS2} {
		t.Run("codec="+c.String(), func(t *testing.T) {
			s := buildSmall(t, c, 0, 2, 3, 1)
			path := filepath.Join(memTempDir(t), "flip.seg")
			step := 1
			if testing.Short() {
				step = 13
			}
			last := len(s.batches) - 1
			for bit := 0; bit < len(s.image)*8; bit += step {
				img := bytes.Clone(s.image)
				pos := int64(bit / 8)
				img[pos] ^= 1 << (bit % 8)
				k := s.batchAt(pos)

				res, err := scanImage(t, path, img, segment.ScanOptions{Tail: true})
				switch {
				case k < 0:
					require.Error(t, err, "Scan with header bit %d flipped", bit)
					require.True(t, errors.Is(err, segment.ErrCorrupt) || errors.Is(err, segment.ErrBadMagic) ||
						errors.Is(err, segment.ErrBadVersion), "Scan with header bit %d flipped: %v", bit, err)
				case k < last || pos >= s.batches[k].Position+4:
					// A flip anywhere but the length word leaves a complete batch: damage, even
					// in the last batch (it was acknowledged once synced), never a torn tail.
					var ce *segment.CorruptionError
					require.ErrorAs(t, err, &ce, "Scan(Tail) with bit %d of batch %d flipped", bit, k)
					require.Equal(t, s.batches[k].Position, ce.Offset, "corruption position for bit %d", bit)
				case err == nil:
					// A flipped length word of the last batch can make it look cut short
					// (the file ends inside it): then it is cut as a torn tail.
					require.Equal(t, s.batches[last].Position, res.End)
					require.Positive(t, res.DroppedBytes)
				default:
					var ce *segment.CorruptionError
					require.ErrorAs(t, err, &ce, "Scan(Tail) with bit %d of the last length word flipped", bit)
					require.Equal(t, s.batches[last].Position, ce.Offset, "corruption position for bit %d", bit)
				}

				// Without a scan, a reader sees the intact batches, then corruption.
				require.NoError(t, os.WriteFile(path, img, 0o644))
				requireReadPrefix(t, path, s, k)
			}
		})
	}
}

// requireReadPrefix reads path batch by batch and checks that batches before bad are intact
// and batch bad (if any) is reported as corruption.
func requireReadPrefix(t *testing.T, path string, s *smallSegment, bad int) {
	t.Helper()
	r, err := segment.OpenReader(path, 0)
	if bad < 0 {
		require.Error(t, err, "OpenReader with a damaged header")
		return
	}
	require.NoError(t, err)
	defer r.Close()
	var recs []segment.Record
	for i, b := range s.batches {
		info, got, err := r.ReadBatch(recs, b.Position, int64(len(s.image)))
		if i == bad {
			require.ErrorIs(t, err, segment.ErrCorrupt, "ReadBatch of damaged batch %d", i)
			return
		}
		require.NoError(t, err)
		require.Equal(t, b, info)
		requireSameRecords(t, s.recs[i], got, b.FirstOffset)
		recs = got
	}
}

func TestScan_TornTailOrCorruption(t *testing.T) {
	s := buildSmall(t, segment.CodecNone, 0, 3, 3, 3, 3)
	b := s.batches
	zero := func(img []byte, from, to int64) []byte {
		clear(img[from:to])
		return img
	}
	garbage := []byte("this is not a batch, just bytes a failing disk left")
	big := buildSmall(t, segment.CodecNone, 0, 3, 100)
	bigLast := big.batches[1]
	bigImage := func() []byte { return append(bytes.Clone(big.image), make([]byte, 4096)...) }
	// split is a segment whose last batch starts 1 byte before a sector boundary, so that
	// its length word spans two sectors.
	split, splitLast := lengthWordAcrossSector(t)
	// mid is a segment whose second batch spans several sectors, with two batches after it.
	mid := buildSmall(t, segment.CodecNone, 0, 3, 100, 3, 3)
	midBatch := mid.batches[1]
	midImage := func() []byte { return append(bytes.Clone(mid.image), make([]byte, 4096)...) }
	midSector := (midBatch.Position/512 + 2) * 512 // a whole sector inside the second batch
	tests := []struct {
		name    string
		image   func() []byte
		corrupt bool  // Tail scan reports corruption
		end     int64 // otherwise: End after the scan
		dropped int   // and the whole batches after the torn one that the cut dropped
	}{
		{"clean", func() []byte { return s.image }, false, b[3].End(), 0},
		{"clean with zeros", func() []byte { return append(bytes.Clone(s.image), make([]byte, 100)...) }, false, b[3].End(), 0},
		{"last batch half written", func() []byte { return s.image[:b[3].Position+b[3].Size/2] }, false, b[3].Position, 0},
		{"last batch zeroed from a sector inside it", func() []byte {
			return zero(bigImage(), (bigLast.Position/512+1)*512, bigLast.End())
		}, false, bigLast.Position, 0},
		{"last batch missing its length word", func() []byte { return zero(bytes.Clone(s.image), b[3].Position, b[3].Position+4) }, false, b[3].Position, 0},
		{"last batch's first sector lost", func() []byte {
			img := append(bytes.Clone(s.image), make([]byte, 4096)...)
			return zero(img, b[3].Position, (b[3].Position/512+1)*512)
		}, false, b[3].Position, 0},
		{"last batch's middle sector lost", func() []byte { return zero(bigImage(), (bigLast.Position/512+2)*512, (bigLast.Position/512+3)*512) }, false, bigLast.Position, 0},
		{"last batch's length word split by a lost sector", func() []byte {
			return zero(bytes.Clone(split), splitLast+1, int64(len(split)))
		}, false, splitLast, 0},
		{"last batch's length word split, the next sector present", func() []byte {
			return zero(bytes.Clone(split), splitLast+1, splitLast+4)
		}, true, 0, 0},
		// Written back out of order: the later batches reached the disk, a sector of an
		// earlier one did not. None of them was acknowledged as synced.
		{"middle batch zeroed, later batches whole", func() []byte { return zero(bytes.Clone(s.image), b[1].Position, b[1].End()) }, false, b[1].Position, 2},
		{"middle batch's sector lost, later batches whole", func() []byte { return zero(midImage(), midSector, midSector+512) }, false, midBatch.Position, 2},
		{"middle batch's length word damaged and a sector lost", func() []byte {
			img := zero(midImage(), midSector, midSector+512)
			img[midBatch.Position+2] ^= 0x40 // a length past the later batches: the extent comes from them
			return img
		}, false, midBatch.Position, 2},
		{"middle batch byte flipped, later batches whole", func() []byte {
			img := midImage()
			img[midSector+100] ^= 0x01
			return img
		}, true, 0, 0},
		{"middle length word zeroed", func() []byte { return zero(bytes.Clone(s.image), b[1].Position, b[1].Position+4) }, true, 0, 0},
		{"garbage after the end", func() []byte { return append(bytes.Clone(s.image), garbage...) }, true, 0, 0},
		{"last batch byte flipped", func() []byte { img := bytes.Clone(s.image); img[b[3].End()-10] ^= 0xff; return img }, true, 0, 0},
		{"last batch byte flipped, zeros after", func() []byte {
			img := append(bytes.Clone(s.image), make([]byte, 4096)...)
			img[b[3].Position+30] ^= 0x01
			return img
		}, true, 0, 0},
		{"middle batch cut out and garbage", func() []byte {
			img := append(bytes.Clone(s.image[:b[1].Position]), garbage...)
			return append(img, s.image[b[2].Position:]...)
		}, true, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.seg")
			res, err := scanImage(t, path, tt.image(), segment.ScanOptions{Tail: true})
			if tt.corrupt {
				require.ErrorIs(t, err, segment.ErrCorrupt)
				require.Regexp(t, "valid batch follows|not a torn tail", err.Error())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.end, res.End)
			require.Equal(t, tt.dropped, res.DroppedBatches, "whole batches dropped after the torn one")
			if res.DroppedBytes > 0 {
				fi, err := os.Stat(path)
				require.NoError(t, err)
				require.Equal(t, tt.end, fi.Size(), "the file is cut at the torn batch")
			}
		})
	}
}

// lengthWordAcrossSector returns the image of a segment of two batches, with zeros after
// them, whose second batch starts 1 byte before a 512-byte boundary and has a length whose
// low byte alone is below the batch header's size, and that batch's position.
func lengthWordAcrossSector(t *testing.T) ([]byte, int64) {
	t.Helper()
	header := segment.AppendHeader(nil, segment.Header{CreatedMs: 1})
	for size := 1; size < 1024; size++ {
		img, err := segment.AppendBatch(bytes.Clone(header), segment.CodecNone, 0, oneRecord(size))
		require.NoError(t, err)
		if len(img)%512 != 511 {
			continue
		}
		last := int64(len(img))
		for rec := 300; rec < 600; rec++ {
			full, err := segment.AppendBatch(bytes.Clone(img), segment.CodecNone, 1, oneRecord(rec))
			require.NoError(t, err)
			if length := len(full) - int(last) - 4; length > 0xff && length&0xff > 0 && length&0xff < 20 {
				return append(full, make([]byte, 1024)...), last
			}
		}
	}
	t.Fatal("no record sizes put a short-looking length word across a sector boundary")
	return nil, 0
}

// oneRecord returns a record with size bytes of data.
func oneRecord(size int) []segment.Record {
	return []segment.Record{{TimeMs: 1, PartitionKey: []byte("k"), Data: bytes.Repeat([]byte{'d'}, size)}}
}

func TestScan_BatchesMustFollow(t *testing.T) {
	header := segment.AppendHeader(nil, segment.Header{FirstOffset: 10, CreatedMs: 1})
	batch := func(img []byte, first uint64, t0 int64) []byte {
		img, err := segment.AppendBatch(img, segment.CodecNone, first, makeRecords(2, 10, t0))
		require.NoError(t, err)
		return img
	}
	tests := []struct {
		name  string
		image []byte
		want  string
	}{
		{"first batch offset", batch(bytes.Clone(header), 11, 0), "first offset 11, want 10"},
		{"offset gap", batch(batch(bytes.Clone(header), 10, 0), 13, 0), "first offset 13, want 12"},
		{"offset repeat", batch(batch(bytes.Clone(header), 10, 0), 10, 0), "first offset 10, want 12"},
		{"time goes back", batch(batch(bytes.Clone(header), 10, 100), 12, 99), "before the previous batch's last time 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.seg")
			for _, tail := range []bool{false, true} {
				_, err := scanImage(t, path, tt.image, segment.ScanOptions{Tail: tail})
				require.ErrorIs(t, err, segment.ErrCorrupt, "Scan(Tail=%v)", tail)
				require.Contains(t, err.Error(), tt.want)
			}
		})
	}
	t.Run("same time continues", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "s.seg")
		res, err := scanImage(t, path, batch(batch(bytes.Clone(header), 10, 100), 12, 100), segment.ScanOptions{})
		require.NoError(t, err)
		require.Equal(t, uint64(14), res.NextOffset)
		require.Equal(t, int64(100), res.FirstTimeMs)
		require.Equal(t, int64(100), res.LastTimeMs)
	})
}

func TestScan_From(t *testing.T) {
	s := buildSmall(t, segment.CodecNone, 1000, 2, 3, 4)
	path := filepath.Join(t.TempDir(), "s.seg")
	b := s.batches
	var seen []segment.BatchInfo
	res, err := scanImage(t, path, s.image, segment.ScanOptions{From: b[1].Position, FromOffset: b[1].FirstOffset,
		Batch: func(info segment.BatchInfo) { seen = append(seen, info) }})
	require.NoError(t, err)
	require.Equal(t, b[1:], seen, "Scan callback batches")
	require.Equal(t, segment.ScanResult{End: b[2].End(), NextOffset: b[2].NextOffset(), Batches: 2,
		FirstTimeMs: b[1].FirstTimeMs, LastTimeMs: b[2].LastTimeMs}, res)

	res, err = segment.Scan(path, segment.ScanOptions{From: b[2].End(), FromOffset: b[2].NextOffset()})
	require.NoError(t, err)
	require.Equal(t, segment.ScanResult{End: b[2].End(), NextOffset: b[2].NextOffset()}, res, "Scan from the end")

	_, err = segment.Scan(path, segment.ScanOptions{From: b[1].Position, FromOffset: b[1].FirstOffset + 1})
	require.ErrorIs(t, err, segment.ErrCorrupt, "Scan with the wrong FromOffset")
	_, err = segment.Scan(path, segment.ScanOptions{From: b[2].End() + 1, FromOffset: 0})
	require.Error(t, err, "Scan from past the end")
	_, err = segment.Scan(path, segment.ScanOptions{From: 3, FromOffset: 1000})
	require.Error(t, err, "Scan from inside the header")

	res, err = segment.Scan(path, segment.ScanOptions{})
	require.NoError(t, err)
	require.Equal(t, segment.ScanResult{End: b[2].End(), NextOffset: 1009, Batches: 3,
		FirstTimeMs: b[0].FirstTimeMs, LastTimeMs: b[2].LastTimeMs}, res)
}

func TestScan_EmptySegment(t *testing.T) {
	w, path := mustCreate(t, 77, segment.WriterOptions{PreallocateBytes: 8192})
	_ = w
	res, err := segment.Scan(path, segment.ScanOptions{Tail: true})
	require.NoError(t, err)
	require.Equal(t, segment.ScanResult{End: segment.HeaderSize, NextOffset: 77}, res)
}
