package fuzz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/shardlog/shardlog/segment"
)

// goldenSegments returns the golden segment files of segment/testdata.
func goldenSegments(f *testing.F) [][]byte {
	f.Helper()
	names, err := filepath.Glob("../segment/testdata/*.seg")
	if err != nil || len(names) == 0 {
		f.Fatalf("no golden segments under ../segment/testdata: %v", err)
	}
	var files [][]byte
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		files = append(files, b)
	}
	return files
}

// goldenBatches returns each batch of each golden segment as its own buffer.
func goldenBatches(f *testing.F) [][]byte {
	f.Helper()
	var batches [][]byte
	for _, file := range goldenSegments(f) {
		for pos := segment.HeaderSize; pos < len(file); {
			info, _, err := segment.DecodeBatch(nil, file[pos:])
			if err != nil {
				f.Fatalf("golden batch at %d: %v", pos, err)
			}
			batches = append(batches, bytes.Clone(file[pos:pos+int(info.Size)]))
			pos += int(info.Size)
		}
	}
	return batches
}

// seedBatch frames recs, for the f.Add seeds.
func seedBatch(f *testing.F, c segment.Codec, first uint64, recs ...segment.Record) []byte {
	b, err := segment.AppendBatch(nil, c, first, recs)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzSegmentBatch checks DecodeBatch on arbitrary bytes: it never panics; what decodes
// re-encodes to the same bytes (CodecNone) or to a batch that decodes to the same records
// (compressed); and a truncated or bit-flipped copy of a decodable batch is rejected.
func FuzzSegmentBatch(f *testing.F) {
	for _, b := range goldenBatches(f) {
		f.Add(b, uint16(0), false)
		f.Add(b, uint16(0), true)
	}
	rec := segment.Record{TimeMs: 5, PartitionKey: []byte("k"), Data: []byte("data data data data data")}
	for _, c := range []segment.Codec{segment.CodecNone, segment.CodecS2, segment.CodecZstd} {
		f.Add(seedBatch(f, c, 0, rec), uint16(9), true)
		f.Add(seedBatch(f, c, 1<<64-4, rec, rec, rec), uint16(100), false)
	}
	f.Add(seedBatch(f, segment.CodecNone, 7, segment.Record{TimeMs: -3}), uint16(0), true)
	f.Add([]byte{}, uint16(0), false)
	f.Add(make([]byte, 64), uint16(1), true)

	f.Fuzz(func(t *testing.T, b []byte, damage uint16, reseal bool) {
		if reseal {
			resealBatch(b)
		}
		info, recs, err := segment.DecodeBatch(nil, b)
		if err != nil {
			if !errors.Is(err, segment.ErrCorrupt) {
				t.Fatalf("DecodeBatch error %v is not ErrCorrupt", err)
			}
			return
		}
		batch := b[:info.Size]
		checkReencode(t, info, recs, batch)
		checkDamageDetected(t, batch, int(damage))
	})
}

// resealBatch sets the length word and CRC of the batch that fills b, so that the fuzzer's
// mutations reach the checks behind the CRC. The offsets are those of the layout drawn in
// segment/format.go: length at 0, CRC-32C at 4 over everything from 8 on.
func resealBatch(b []byte) {
	if len(b) < 8 {
		return
	}
	binary.LittleEndian.PutUint32(b[0:], uint32(len(b)-4))
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum(b[8:], crc32.MakeTable(crc32.Castagnoli)))
}

// resealFile fixes the header CRC and the CRC of each batch along the chain of length words,
// where the length fits the image, so that mutations reach Scan's and ReadBatch's checks
// behind the CRCs. Offsets as in segment/format.go: the header CRC at 24 over [0, 24).
func resealFile(b []byte) {
	if len(b) < segment.HeaderSize {
		return
	}
	binary.LittleEndian.PutUint32(b[24:], crc32.Checksum(b[:24], crc32.MakeTable(crc32.Castagnoli)))
	for pos := segment.HeaderSize; pos+8 <= len(b); {
		end := pos + 4 + int(binary.LittleEndian.Uint32(b[pos:]))
		if end <= pos+8 || end > len(b) {
			return
		}
		resealBatch(b[pos:end])
		pos = end
	}
}

// checkReencode frames the decoded records again and compares.
func checkReencode(t *testing.T, info segment.BatchInfo, recs []segment.Record, batch []byte) {
	again, err := segment.AppendBatch(nil, info.Codec, info.FirstOffset, recs)
	if err != nil {
		t.Fatalf("AppendBatch of decoded records: %v", err)
	}
	if info.Codec == segment.CodecNone {
		if !bytes.Equal(again, batch) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", again, batch)
		}
		return
	}
	info2, recs2, err := segment.DecodeBatch(nil, again)
	if err != nil {
		t.Fatalf("DecodeBatch of re-encoded batch: %v", err)
	}
	if info2.FirstOffset != info.FirstOffset || info2.Count != info.Count ||
		info2.FirstTimeMs != info.FirstTimeMs || info2.LastTimeMs != info.LastTimeMs {
		t.Fatalf("re-encoded batch info %+v, want %+v", info2, info)
	}
	requireSame(t, recs, recs2)
}

// checkDamageDetected cuts the batch short and flips one of its bits; neither may decode into
// records other than the originals.
func checkDamageDetected(t *testing.T, batch []byte, damage int) {
	cut := damage % len(batch)
	if _, _, err := segment.DecodeBatch(nil, batch[:cut]); !errors.Is(err, segment.ErrCorrupt) {
		t.Fatalf("DecodeBatch of the first %d of %d bytes: error %v, want ErrCorrupt", cut, len(batch), err)
	}
	flipped := bytes.Clone(batch)
	bit := damage % (len(batch) * 8)
	flipped[bit/8] ^= 1 << (bit % 8)
	_, got, err := segment.DecodeBatch(nil, flipped)
	if err == nil {
		t.Fatalf("DecodeBatch with bit %d flipped decoded %d records", bit, len(got))
	}
	if !errors.Is(err, segment.ErrCorrupt) {
		t.Fatalf("DecodeBatch with bit %d flipped: error %v, want ErrCorrupt", bit, err)
	}
}

func requireSame(t *testing.T, want, got []segment.Record) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.Offset != g.Offset || w.TimeMs != g.TimeMs || !bytes.Equal(w.PartitionKey, g.PartitionKey) || !bytes.Equal(w.Data, g.Data) {
			t.Fatalf("record %d = %+v, want %+v", i, g, w)
		}
	}
}

// FuzzSegmentReader writes a whole file image and runs Scan and a ReadBatch loop over it: no
// panic, and every error is corruption or a header error. When Scan accepts the file, every
// batch it accepted reads back with the same BatchInfo, or (only for damage inside a
// records section, which Scan does not decode) as corruption.
func FuzzSegmentReader(f *testing.F) {
	for _, file := range goldenSegments(f) {
		f.Add(file, false, false)
		f.Add(file, true, true)
		f.Add(file[:len(file)-3], true, false)
		f.Add(append(bytes.Clone(file), make([]byte, 100)...), true, true)
	}
	f.Add([]byte("SHLSEG"), false, false)
	f.Add(segment.AppendHeader(nil, segment.Header{FirstOffset: 3}), true, false)

	dir := memDir(f)
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, image []byte, tail, reseal bool) {
		if reseal {
			resealFile(image)
		}
		path := filepath.Join(dir, fmt.Sprintf("shardlog-fuzz-%d-%d.seg", os.Getpid(), n.Add(1)))
		defer os.Remove(path)
		if err := os.WriteFile(path, image, 0o644); err != nil {
			t.Fatal(err)
		}
		var batches []segment.BatchInfo
		res, err := segment.Scan(path, segment.ScanOptions{Tail: tail, Batch: func(b segment.BatchInfo) {
			batches = append(batches, b)
		}})
		if err != nil {
			requireFileError(t, "Scan", err)
			return
		}
		if len(batches) != res.Batches {
			t.Fatalf("Scan reported %d batches, called back %d", res.Batches, len(batches))
		}
		readBack(t, path, res, batches)
	})
}

// memDir returns /dev/shm (tmpfs) when it is writable, or f.TempDir(): each input is
// written to a file and maybe truncated and synced, which on tmpfs costs no disk I/O. Each
// input's file is removed right after it, because the fuzzing engine may kill a worker
// without running its cleanups.
func memDir(f *testing.F) string {
	if probe, err := os.CreateTemp("/dev/shm", "probe"); err == nil {
		_ = probe.Close()
		_ = os.Remove(probe.Name())
		return "/dev/shm"
	}
	return f.TempDir()
}

// readBack reads the batches Scan accepted.
func readBack(t *testing.T, path string, res segment.ScanResult, batches []segment.BatchInfo) {
	r, err := segment.OpenReader(path, 0)
	if err != nil {
		t.Fatalf("OpenReader after a successful Scan: %v", err)
	}
	defer r.Close()
	var recs []segment.Record
	pos := int64(segment.HeaderSize)
	for i := 0; ; i++ {
		info, got, err := r.ReadBatch(recs, pos, res.End)
		if errors.Is(err, io.EOF) {
			if i != len(batches) {
				t.Fatalf("read %d batches, Scan accepted %d", i, len(batches))
			}
			return
		}
		if err != nil {
			requireFileError(t, "ReadBatch", err)
			return
		}
		if info != batches[i] {
			t.Fatalf("ReadBatch %d = %+v, Scan saw %+v", i, info, batches[i])
		}
		pos, recs = info.End(), got
	}
}

// requireFileError fails unless err is corruption or a header error.
func requireFileError(t *testing.T, op string, err error) {
	for _, want := range []error{segment.ErrCorrupt, segment.ErrShortHeader, segment.ErrBadMagic, segment.ErrBadVersion} {
		if errors.Is(err, want) {
			return
		}
	}
	t.Fatalf("%s error %v is neither corruption nor a header error", op, err)
}
