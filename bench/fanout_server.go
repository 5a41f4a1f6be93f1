package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// serverProbe reads the server process's CPU time and memory. CPU time comes from /proc
// with Config.ServerPID, else from process_cpu_seconds_total at the endpoint's /metrics.
// Memory is what the Go runtime has in use for heap and stacks (go_memstats_heap_inuse_bytes
// and go_memstats_stack_inuse_bytes at /metrics: what a subscription allocates, without the
// mapped segments or the memory the runtime keeps for later), else the anonymous resident
// memory in /proc (RssAnon), which moves only when the runtime asks the kernel for more.
type serverProbe struct {
	pid     int
	c       *client
	url     string
	cpuFrom string // "proc", "metrics" or "" (not read)
	memFrom string
}

// newServerProbe returns the probe of the server of cfg, or nil if neither /proc nor
// /metrics can be read.
func newServerProbe(ctx context.Context, cfg Config, c *client) *serverProbe {
	p := &serverProbe{pid: cfg.ServerPID, c: c, url: cfg.Endpoint + "/metrics"}
	m, err := p.scrape(ctx)
	switch {
	case cfg.ServerPID != 0:
		p.cpuFrom = "proc"
	case err == nil && m.cpu >= 0:
		p.cpuFrom = "metrics"
	}
	switch {
	case err == nil && m.heap >= 0 && m.stack >= 0:
		p.memFrom = "metrics"
	case cfg.ServerPID != 0:
		p.memFrom = "proc"
	}
	if p.cpuFrom == "" && p.memFrom == "" {
		return nil
	}
	if _, _, err := p.read(ctx); err != nil {
		return nil
	}
	return p
}

// read returns the server's CPU seconds (0 if not read) and memory in use (0 if not read).
func (p *serverProbe) read(ctx context.Context) (cpu float64, mem int64, err error) {
	var m scraped
	if p.cpuFrom == "metrics" || p.memFrom == "metrics" {
		if m, err = p.scrape(ctx); err != nil {
			return 0, 0, err
		}
	}
	switch p.cpuFrom {
	case "proc":
		if cpu, err = processCPU(p.pid); err != nil {
			return 0, 0, err
		}
	case "metrics":
		cpu = m.cpu
	}
	switch p.memFrom {
	case "proc":
		pm, err := processMemory(p.pid)
		if err != nil {
			return 0, 0, err
		}
		mem = pm.anon
	case "metrics":
		mem = int64(m.heap + m.stack)
	}
	return cpu, mem, nil
}

// scraped is what serverProbe reads from /metrics; -1 for a metric not found.
type scraped struct{ cpu, heap, stack float64 }

// scrape reads process_cpu_seconds_total, go_memstats_heap_inuse_bytes and
// go_memstats_stack_inuse_bytes from /metrics.
func (p *serverProbe) scrape(ctx context.Context) (scraped, error) {
	m := scraped{cpu: -1, heap: -1, stack: -1}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return m, err
	}
	resp, err := p.c.http.Do(req)
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return m, fmt.Errorf("bench: GET %s: HTTP %d", p.url, resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := bytes.Cut(sc.Bytes(), []byte(" "))
		var dst *float64
		switch string(name) {
		case "process_cpu_seconds_total":
			dst = &m.cpu
		case "go_memstats_heap_inuse_bytes":
			dst = &m.heap
		case "go_memstats_stack_inuse_bytes":
			dst = &m.stack
		}
		if !ok || dst == nil {
			continue
		}
		if *dst, err = strconv.ParseFloat(string(value), 64); err != nil {
			return m, fmt.Errorf("bench: GET %s: %s: %w", p.url, name, err)
		}
	}
	return m, sc.Err()
}

// memorySampleEvery is how often a serverWatch samples the server's memory.
const memorySampleEvery = 100 * time.Millisecond

// serverWatch follows the server during the fan-out: CPU time from the start of the writes,
// peak memory sampled every memorySampleEvery.
type serverWatch struct {
	probe     *serverProbe
	stats     FanOutServer
	cpu0      float64
	memOpened int64 // once the subscriptions were open
	stop      chan struct{}
	done      sync.WaitGroup
}

// before notes the memory before the subscriptions.
func (w *serverWatch) before(ctx context.Context) {
	_, w.stats.MemoryBeforeBytes, _ = w.probe.read(ctx)
	w.stats.MemoryPeakBytes = w.stats.MemoryBeforeBytes
	w.stats.CPUFrom, w.stats.MemoryFrom = w.probe.cpuFrom, w.probe.memFrom
}

// start notes the memory with the subscriptions open and the CPU time, and samples the
// memory until finish.
func (w *serverWatch) start(ctx context.Context) {
	w.cpu0, w.memOpened, _ = w.probe.read(ctx)
	w.stop = make(chan struct{})
	w.done.Go(func() {
		t := time.NewTicker(memorySampleEvery)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				if _, mem, err := w.probe.read(ctx); err == nil {
					w.stats.MemoryPeakBytes = max(w.stats.MemoryPeakBytes, mem)
				}
			}
		}
	})
}

// finish returns the server's cost of pushing records to subs subscriptions.
func (w *serverWatch) finish(ctx context.Context, records int64, subs int) *FanOutServer {
	close(w.stop)
	w.done.Wait()
	cpu, mem, err := w.probe.read(context.WithoutCancel(ctx))
	if err != nil {
		return nil
	}
	s := w.stats
	s.MemoryPeakBytes = max(s.MemoryPeakBytes, mem)
	if s.CPUFrom != "" {
		s.CPUSeconds = cpu - w.cpu0
	}
	if records > 0 {
		s.CPUMicrosPerRecord = s.CPUSeconds / float64(records) * 1e6
	}
	if subs > 0 && s.MemoryFrom != "" {
		s.IdleBytesPerSubscription = (w.memOpened - s.MemoryBeforeBytes) / int64(subs)
		s.PeakBytesPerSubscription = (s.MemoryPeakBytes - s.MemoryBeforeBytes) / int64(subs)
	}
	return &s
}
