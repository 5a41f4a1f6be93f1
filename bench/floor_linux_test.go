//go:build linux

package bench_test

// The floor benchmarks price, on the machine they run on, the kernel and library work that
// every PutRecords and GetRecords pays whatever the server does: moving bytes over loopback
// TCP, putting new bytes into the page cache, reading them back, fdatasync, a thread switch,
// a system call, MD5 of a partition key. Each reports CPU time (user + system, from
// getrusage) per unit of work, which holds up better than elapsed time on a shared machine.
// bench/README.md ("The floor under the CPU targets") multiplies them by what a record
// needs of each and compares the sum with the targets of issue 14 and with the server's
// measured CPU per record.
//
//	taskset -c 0 go test -run=NONE -bench='Floor_[^P]' -count=5 ./bench
//	taskset -c 0 go test -run=NONE -bench=Floor_PageCacheWrite -benchtime=1000x -count=5 ./bench

import (
	"crypto/md5"
	"hash/crc32"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// cpuOf returns the CPU time, user and system, used so far by the process (who is
// unix.RUSAGE_SELF) or by the calling thread (unix.RUSAGE_THREAD).
func cpuOf(b *testing.B, who int) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(who, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process's CPU time since start per unit, as name.
func reportCPU(b *testing.B, start time.Duration, units float64, name string) {
	b.ReportMetric(float64(cpuOf(b, unix.RUSAGE_SELF)-start)/units, name)
}

// BenchmarkFloor_Syscall is the cheapest system call there is (getppid): the entry and exit
// that every read, write, pwrite and fdatasync of the server pays before its own work.
func BenchmarkFloor_Syscall(b *testing.B) {
	start := cpuOf(b, unix.RUSAGE_SELF)
	for b.Loop() {
		unix.Getppid()
	}
	reportCPU(b, start, float64(b.N), "cpu-ns/call")
}

// BenchmarkFloor_ThreadSwitch passes one byte back and forth between two threads over a pair
// of blocking pipes: each operation is two switches (and four system calls). A goroutine
// that waits for an fdatasync, a sync round or a socket costs the server switches of this
// kind. Run it on one CPU (taskset) to price what a pinned server pays.
func BenchmarkFloor_ThreadSwitch(b *testing.B) {
	var ping, pong [2]int
	if err := unix.Pipe2(ping[:], unix.O_CLOEXEC); err != nil {
		b.Fatal(err)
	}
	if err := unix.Pipe2(pong[:], unix.O_CLOEXEC); err != nil {
		b.Fatal(err)
	}
	defer func() {
		for _, fd := range []int{ping[0], ping[1], pong[0], pong[1]} {
			unix.Close(fd)
		}
	}()
	var wg sync.WaitGroup
	wg.Go(func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var one [1]byte
		for {
			if n, err := unix.Read(ping[0], one[:]); n != 1 || err != nil || one[0] == 0 {
				return
			}
			if _, err := unix.Write(pong[1], one[:]); err != nil {
				return
			}
		}
	})
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	one := [1]byte{1}
	start := cpuOf(b, unix.RUSAGE_SELF)
	for b.Loop() {
		if _, err := unix.Write(ping[1], one[:]); err != nil {
			b.Fatal(err)
		}
		if _, err := unix.Read(pong[0], one[:]); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start, float64(2*b.N), "cpu-ns/switch")
	b.StopTimer()
	unix.Write(ping[1], []byte{0})
	wg.Wait()
}

// floorFileBytes is the size of the file the read benchmarks read whole per operation.
const floorFileBytes = 64 << 20

// BenchmarkFloor_Read reads a 64 MiB file that is in the page cache and checks a CRC-32C of
// every 64 KiB, as a GetRecords checks each batch: mapped (a fresh read-only mapping per
// operation, as a segment's pages are mapped again after a reader released them) or copied
// (pread into one reused 1 MiB buffer).
func BenchmarkFloor_Read(b *testing.B) {
	path := filepath.Join(b.TempDir(), "read")
	f := writeFile(b, path, floorFileBytes)
	defer f.Close()
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	var sum uint32
	b.Run("how=mapped", func(b *testing.B) {
		b.SetBytes(floorFileBytes)
		start := cpuOf(b, unix.RUSAGE_SELF)
		for b.Loop() {
			m, err := unix.Mmap(int(f.Fd()), 0, floorFileBytes, unix.PROT_READ, unix.MAP_SHARED)
			if err != nil {
				b.Fatal(err)
			}
			for off := 0; off < len(m); off += 64 << 10 {
				sum += crc32.Checksum(m[off:off+64<<10], castagnoli)
			}
			if err := unix.Munmap(m); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start, float64(b.N)*floorFileBytes/1024, "cpu-ns/KiB")
	})
	b.Run("how=copied", func(b *testing.B) {
		b.SetBytes(floorFileBytes)
		buf := make([]byte, 1<<20)
		start := cpuOf(b, unix.RUSAGE_SELF)
		for b.Loop() {
			for off := int64(0); off < floorFileBytes; off += int64(len(buf)) {
				if _, err := f.ReadAt(buf, off); err != nil {
					b.Fatal(err)
				}
				for i := 0; i < len(buf); i += 64 << 10 {
					sum += crc32.Checksum(buf[i:i+64<<10], castagnoli)
				}
			}
		}
		reportCPU(b, start, float64(b.N)*floorFileBytes/1024, "cpu-ns/KiB")
	})
	if sum == 1 {
		b.Log(sum) // keeps the checksums from being optimised away
	}
}

// writeFile creates path with size bytes written and synced, so that they are in the page
// cache and on disk.
func writeFile(b *testing.B, path string, size int) *os.File {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	for off := 0; off < size; off += len(chunk) {
		if _, err := f.WriteAt(chunk, int64(off)); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkFloor_PageCacheWrite writes 1 MiB per operation in 16 KiB pwrites (a shard's
// batch of 125 records of 100 B is about that size): into new pages at the end of a growing
// file (as a log does, and as the segment's zero fill does first), or over pages already in
// the page cache (as a record's own write does after the zero fill). The growing file wraps
// at 2 GiB, past which its writes land on cached pages again, so run it with a fixed
// -benchtime under 2048x (1000x: 1,000 MiB) for the first figure to stay that of new pages.
// What new pages cost depends on the machine's history: on a virtual machine, pages that
// another file freed a moment ago are cheaper than memory the host has to provide again.
func BenchmarkFloor_PageCacheWrite(b *testing.B) {
	const opBytes, writeBytes, wrap = 1 << 20, 16 << 10, 2 << 30
	data := make([]byte, writeBytes)
	for i := range data {
		data[i] = byte(i * 13)
	}
	for _, pages := range []string{"new", "cached"} {
		b.Run("pages="+pages, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "write"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(opBytes)
			var end int64
			start := cpuOf(b, unix.RUSAGE_SELF)
			for b.Loop() {
				if pages == "cached" || end >= wrap {
					end = 0
				}
				for off := int64(0); off < opBytes; off += writeBytes {
					if _, err := f.WriteAt(data, end+off); err != nil {
						b.Fatal(err)
					}
				}
				end += opBytes
			}
			reportCPU(b, start, float64(b.N)*opBytes/1024, "cpu-ns/KiB")
		})
	}
}

// BenchmarkFloor_Fdatasync is the CPU one fdatasync costs the process: one goroutine
// overwrites a preallocated, synced file 12.5 KB at a time (one shard's share of a
// PutRecords call of 500 × 100 B over 4 shards) and syncs after each write. The write's
// own CPU is in the figure too; BenchmarkFloor_PageCacheWrite prices it apart.
func BenchmarkFloor_Fdatasync(b *testing.B) {
	const chunk = 12_500
	f := writeFile(b, filepath.Join(b.TempDir(), "sync"), floorFileBytes)
	defer f.Close()
	data := make([]byte, chunk)
	var off int64
	start := cpuOf(b, unix.RUSAGE_SELF)
	for b.Loop() {
		if off+chunk > floorFileBytes {
			off = 0
		}
		if _, err := f.WriteAt(data, off); err != nil {
			b.Fatal(err)
		}
		off += chunk
		if err := unix.Fdatasync(int(f.Fd())); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start, float64(b.N), "cpu-ns/sync")
}

// BenchmarkFloor_Loopback sends 64 KiB per operation over a TCP connection on 127.0.0.1 to
// a reader that drains it into a 64 KiB buffer, and reports each side's CPU per KiB (the
// thread's own CPU time; both goroutines are locked to their threads): the server is the
// receiving side for request bodies and the sending side for answers.
func BenchmarkFloor_Loopback(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	out, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	in, ok := <-accepted
	if !ok {
		b.Fatal("accept failed")
	}
	defer in.Close()

	const opBytes = 64 << 10
	var recvCPU time.Duration
	var wg sync.WaitGroup
	wg.Go(func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		buf := make([]byte, opBytes)
		start := cpuOf(b, unix.RUSAGE_THREAD)
		for {
			if _, err := in.Read(buf); err != nil {
				break // io.EOF once the sender closes
			}
		}
		recvCPU = cpuOf(b, unix.RUSAGE_THREAD) - start
	})
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	data := make([]byte, opBytes)
	b.SetBytes(opBytes)
	start := cpuOf(b, unix.RUSAGE_THREAD)
	for b.Loop() {
		if _, err := out.Write(data); err != nil {
			b.Fatal(err)
		}
	}
	sendCPU := cpuOf(b, unix.RUSAGE_THREAD) - start
	b.StopTimer()
	out.Close()
	wg.Wait()
	kib := float64(b.N) * opBytes / 1024
	b.ReportMetric(float64(sendCPU)/kib, "send-cpu-ns/KiB")
	b.ReportMetric(float64(recvCPU)/kib, "recv-cpu-ns/KiB")
}

// BenchmarkFloor_MD5Key hashes a 16-character partition key, as the bench's records have:
// what routing a record with a key of its own to one of several shards costs.
func BenchmarkFloor_MD5Key(b *testing.B) {
	key := []byte("3f2a9c0d11e4b7a8")
	var sum byte
	start := cpuOf(b, unix.RUSAGE_SELF)
	for b.Loop() {
		h := md5.Sum(key)
		sum += h[0]
		key[0] = sum | 0x30
	}
	reportCPU(b, start, float64(b.N), "cpu-ns/key")
}
