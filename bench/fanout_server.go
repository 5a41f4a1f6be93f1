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

// serverProbe reads the server process's CPU time and resident memory: from /proc with
// Config.ServerPID (anonymous memory: heap and stacks, not the mapped segments), else from
// the process metrics shardlog serves at /metrics (all resident memory).
type serverProbe interface {
	read(ctx context.Context) (cpuSeconds float64, rssBytes int64, err error)
	source() string
}

// newServerProbe returns the probe of the server of cfg, or nil if neither /proc nor
// /metrics can be read.
func newServerProbe(ctx context.Context, cfg Config, c *client) serverProbe {
	var p serverProbe = metricsProbe{c: c, url: cfg.Endpoint + "/metrics"}
	if cfg.ServerPID != 0 {
		p = procProbe{pid: cfg.ServerPID}
	}
	if _, _, err := p.read(ctx); err != nil {
		return nil
	}
	return p
}

type procProbe struct{ pid int }

func (p procProbe) source() string { return "proc" }

func (p procProbe) read(context.Context) (float64, int64, error) {
	cpu, err := processCPU(p.pid)
	if err != nil {
		return 0, 0, err
	}
	m, err := processMemory(p.pid)
	return cpu, m.anon, err // not RssFile: mapped segments in the page cache are no subscription's
}

type metricsProbe struct {
	c   *client
	url string
}

func (p metricsProbe) source() string { return "metrics" }

// read scrapes process_cpu_seconds_total and process_resident_memory_bytes.
func (p metricsProbe) read(ctx context.Context) (cpu float64, rss int64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := p.c.http.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("bench: GET %s: HTTP %d", p.url, resp.StatusCode)
	}
	found := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := bytes.Cut(sc.Bytes(), []byte(" "))
		if !ok {
			continue
		}
		switch string(name) {
		case "process_cpu_seconds_total":
			cpu, err = strconv.ParseFloat(string(value), 64)
			found++
		case "process_resident_memory_bytes":
			var f float64
			f, err = strconv.ParseFloat(string(value), 64)
			rss = int64(f)
			found++
		}
		if err != nil {
			return 0, 0, fmt.Errorf("bench: GET %s: %w", p.url, err)
		}
	}
	if found < 2 {
		return 0, 0, fmt.Errorf("bench: GET %s: no process metrics", p.url)
	}
	return cpu, rss, sc.Err()
}

// serverWatch follows the server during the fan-out: CPU time from the start of the writes,
// peak resident memory sampled every sampleEvery.
type serverWatch struct {
	probe     serverProbe
	stats     FanOutServer
	cpu0      float64
	rssOpened int64 // once the subscriptions were open
	stop      chan struct{}
	done      sync.WaitGroup
}

// before notes the memory before the subscriptions.
func (w *serverWatch) before(ctx context.Context) {
	_, w.stats.RSSBeforeBytes, _ = w.probe.read(ctx)
	w.stats.RSSPeakBytes = w.stats.RSSBeforeBytes
	w.stats.Source = w.probe.source()
}

// start notes the memory with the subscriptions open and the CPU time, and samples the
// memory until finish.
func (w *serverWatch) start(ctx context.Context) {
	w.cpu0, w.rssOpened, _ = w.probe.read(ctx)
	w.stop = make(chan struct{})
	w.done.Go(func() {
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				if _, rss, err := w.probe.read(ctx); err == nil {
					w.stats.RSSPeakBytes = max(w.stats.RSSPeakBytes, rss)
				}
			}
		}
	})
}

// finish returns the server's cost of pushing records to subs subscriptions.
func (w *serverWatch) finish(ctx context.Context, records int64, subs int) *FanOutServer {
	close(w.stop)
	w.done.Wait()
	cpu, rss, err := w.probe.read(context.WithoutCancel(ctx))
	if err != nil {
		return nil
	}
	s := w.stats
	s.RSSPeakBytes = max(s.RSSPeakBytes, rss)
	s.CPUSeconds = cpu - w.cpu0
	if records > 0 {
		s.CPUMicrosPerRecord = s.CPUSeconds / float64(records) * 1e6
	}
	if subs > 0 {
		s.IdleBytesPerSubscription = (w.rssOpened - s.RSSBeforeBytes) / int64(subs)
		s.PeakBytesPerSubscription = (s.RSSPeakBytes - s.RSSBeforeBytes) / int64(subs)
	}
	return &s
}
