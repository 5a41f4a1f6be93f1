package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat: 100 on every Linux
// architecture Go runs on.
const clockTicks = 100

// sampleEvery is how often a sampler reads the server's /proc files.
const sampleEvery = 100 * time.Millisecond

// procSampler watches a process during one phase.
type procSampler struct {
	pid      int
	start    time.Time
	startCPU float64
	stats    ProcessStats
	stop     chan struct{}
	done     chan struct{}
}

// startSampler starts sampling process pid every sampleEvery.
func startSampler(pid int) (*procSampler, error) {
	cpu, err := processCPU(pid)
	if err != nil {
		return nil, err
	}
	s := &procSampler{pid: pid, start: time.Now(), startCPU: cpu, stop: make(chan struct{}), done: make(chan struct{})}
	s.sample()
	go s.loop()
	return s, nil
}

func (s *procSampler) loop() {
	defer close(s.done)
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.sample()
		}
	}
}

func (s *procSampler) sample() {
	m, err := processMemory(s.pid)
	if err != nil {
		return // the process is gone; finish reports what was seen
	}
	s.stats.Samples++
	s.stats.PeakRSSBytes = max(s.stats.PeakRSSBytes, m.hwm)
	s.stats.PeakAnonBytes = max(s.stats.PeakAnonBytes, m.anon)
	s.stats.PeakFileBytes = max(s.stats.PeakFileBytes, m.file)
}

// finish stops sampling and returns the phase's statistics.
func (s *procSampler) finish() *ProcessStats {
	close(s.stop)
	<-s.done
	s.sample()
	if cpu, err := processCPU(s.pid); err == nil {
		s.stats.CPUSeconds = cpu - s.startCPU
	}
	if secs := time.Since(s.start).Seconds(); secs > 0 {
		s.stats.Cores = s.stats.CPUSeconds / secs
	}
	st := s.stats
	return &st
}

type memory struct{ hwm, anon, file int64 }

// processMemory reads VmHWM, RssAnon and RssFile from /proc/<pid>/status.
func processMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for line := range bytes.Lines(b) {
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		var dst *int64
		switch string(key) {
		case "VmHWM":
			dst = &m.hwm
		case "RssAnon":
			dst = &m.anon
		case "RssFile":
			dst = &m.file
		default:
			continue
		}
		f := bytes.Fields(val) // "123456 kB"
		if len(f) == 2 {
			kb, _ := strconv.ParseInt(string(f[0]), 10, 64)
			*dst = kb << 10
		}
	}
	return m, nil
}

// processCPU returns the user and system CPU seconds of process pid (/proc/<pid>/stat fields
// 14 and 15, utime and stime).
func processCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces; count after it.
	paren := bytes.LastIndexByte(b, ')')
	if paren < 0 {
		return 0, fmt.Errorf("bench: /proc/%d/stat: no command name", pid)
	}
	f := bytes.Fields(b[paren+1:]) // f[0] is field 3
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: /proc/%d/stat: %d fields", pid, len(f)+2)
	}
	utime, err1 := strconv.ParseInt(string(f[14-3]), 10, 64)
	stime, err2 := strconv.ParseInt(string(f[15-3]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bench: /proc/%d/stat: bad utime or stime", pid)
	}
	return float64(utime+stime) / clockTicks, nil
}

// selfCPU returns the user and system CPU seconds this process has used.
func selfCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}
