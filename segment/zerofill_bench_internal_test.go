//go:build linux

package segment

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkWriter_ZeroFill weighs the ways reserve can ready the space fallocate reserves, on
// the file system of the test's temporary directory, with the batch shape of a 500-record
// PutRecords spread over 4 shards (125 records a batch), with and without an fdatasync after
// each batch:
//
//   - write: pwrite zeros from a buffer (what reserve does);
//   - none: leave fallocate's unwritten extents, whose first write is a metadata change;
//   - range: fallocate(FALLOC_FL_ZERO_RANGE) after the reservation;
//   - mapped: pwrite zeros from a read-only anonymous mapping (the shared zero page).
//
// ns/op is the wall time of one append (and sync); cpu-ns/record is the process's CPU time
// (user and system) per record; the segment is replaced every 64 MiB outside the timer.
func BenchmarkWriter_ZeroFill(b *testing.B) {
	const batch = 125
	zeroPage, err := unix.Mmap(-1, 0, len(zeroChunk), unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Munmap(zeroPage)
	methods := []struct {
		name  string
		zero  zeroFill
		calls *fileCalls
	}{
		{"write", zeroWrite, &osCalls},
		{"none", zeroNone, &osCalls},
		{"range", zeroNone, withFallocate(func(f *os.File, off, n int64) error {
			if err := osCalls.fallocate(f, off, n); err != nil {
				return err
			}
			return unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_ZERO_RANGE, off, n)
		})},
		{"mapped", zeroNone, withFallocate(func(f *os.File, off, n int64) error {
			if err := osCalls.fallocate(f, off, n); err != nil {
				return err
			}
			for pos := off; pos < off+n; pos += int64(len(zeroPage)) {
				if err := osCalls.writeAt(f, zeroPage[:min(int64(len(zeroPage)), off+n-pos)], pos); err != nil {
					return err
				}
			}
			return nil
		})},
	}
	for _, size := range []int{100, 1000} {
		recs := make([]Record, batch)
		for i := range recs {
			recs[i] = Record{TimeMs: 1_700_000_000_000, PartitionKey: fmt.Appendf(nil, "partition-key-%d", i), Data: make([]byte, size)}
		}
		for _, sync := range []bool{true, false} {
			for _, m := range methods {
				b.Run(fmt.Sprintf("size=%dB/batch=%d/sync=%v/zero=%s", size, batch, sync, m.name), func(b *testing.B) {
					benchZeroFill(b, recs, sync, WriterOptions{calls: m.calls, zero: m.zero})
				})
			}
		}
	}
}

func withFallocate(fallocate func(f *os.File, off, n int64) error) *fileCalls {
	c := osCalls
	c.fallocate = fallocate
	return &c
}

func benchZeroFill(b *testing.B, recs []Record, sync bool, opts WriterOptions) {
	dir := b.TempDir()
	n := 0
	create := func() *Writer {
		n++
		w, err := Create(filepath.Join(dir, fmt.Sprintf("%d.seg", n)), 0, 0, opts)
		if err != nil {
			b.Fatal(err)
		}
		return w
	}
	drop := func(w *Writer) {
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.Remove(w.Path()); err != nil {
			b.Fatal(err)
		}
	}
	w := create()
	cpu0 := rusageCPU()
	for b.Loop() {
		if _, err := w.Append(recs); err != nil {
			b.Fatal(err)
		}
		if sync {
			if err := w.Sync(); err != nil {
				b.Fatal(err)
			}
		}
		if w.Size() > 64<<20 {
			b.StopTimer()
			drop(w)
			w = create()
			b.StartTimer()
		}
	}
	b.ReportMetric(float64(rusageCPU()-cpu0)/float64(b.N*len(recs)), "cpu-ns/record")
	drop(w)
}

func rusageCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
