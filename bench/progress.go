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
