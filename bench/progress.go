package bench

import (
	"sync"
	"time"
)

// startProgress calls cfg.Progress every cfg.ProgressInterval with the totals in c, until the
// returned stop is called. Without cfg.Progress it does nothing.
func startProgress(cfg Config, phase string, c *counters) (stop func()) {
	if cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	wg.Go(func() {
		t := time.NewTicker(cfg.ProgressInterval)
		defer t.Stop()
		lastAt, lastRecords, lastBytes := start, int64(0), int64(0)
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				records, bytes := c.records.Load(), c.bytes.Load()
				secs := now.Sub(lastAt).Seconds()
				cfg.Progress(Progress{
					Phase:         phase,
					Elapsed:       now.Sub(start),
					Records:       records,
					Bytes:         bytes,
					RecordsPerSec: float64(records-lastRecords) / secs,
					MBPerSec:      float64(bytes-lastBytes) / secs / 1e6,
					Errors:        c.errors.Load(),
				})
				lastAt, lastRecords, lastBytes = now, records, bytes
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// phaseSampler samples the server process during a phase when Config.ServerPID is set.
type phaseSampler struct{ s *procSampler }

func startPhaseSampler(cfg Config) (*phaseSampler, error) {
	if cfg.ServerPID == 0 {
		return &phaseSampler{}, nil
	}
	s, err := startSampler(cfg.ServerPID)
	if err != nil {
		return nil, err
	}
	return &phaseSampler{s: s}, nil
}

// finish ends the sampling and returns what it saw, nil when there was no server to sample.
func (p *phaseSampler) finish() *ProcessStats {
	if p.s == nil {
		return nil
	}
	return p.s.finish()
}

// phaseMeter measures one phase: its progress reports, the time it takes, the CPU time of
// this process and the server process (Config.ServerPID).
type phaseMeter struct {
	c            *counters
	sampler      *phaseSampler
	stopProgress func()
	cpu0         float64
	start        time.Time
}

// startPhase starts measuring a phase whose running totals are c.
func startPhase(cfg Config, phase string, c *counters) (*phaseMeter, error) {
	sampler, err := startPhaseSampler(cfg)
	if err != nil {
		return nil, err
	}
	m := &phaseMeter{c: c, sampler: sampler, stopProgress: startProgress(cfg, phase, c)}
	m.cpu0, m.start = selfCPU(), time.Now()
	return m, nil
}

// finish stops measuring and returns the phase's result, with the latencies of the calls
// in hists (one histogram per connection).
func (m *phaseMeter) finish(hists []*Histogram) PhaseResult {
	elapsed := time.Since(m.start)
	m.stopProgress()
	c := m.c
	res := PhaseResult{
		Records:       c.records.Load(),
		Bytes:         c.bytes.Load(),
		Calls:         c.calls.Load(),
		Errors:        c.errors.Load(),
		FailedRecords: c.failed.Load(),
	}
	hist := new(Histogram)
	for _, h := range hists {
		hist.Merge(h)
	}
	res.Latency = hist.Summary()
	res.ClientCPUSeconds = selfCPU() - m.cpu0
	res.Server = m.sampler.finish()
	res.finish(elapsed)
	return res
}
