package bench

import (
	"context"
	"sync/atomic"
	"time"
)

// Many streams over few connections: Config.Writers writers, writer i bound to stream
// i mod Streams as always, and each connection taking turns over its share of them, one call
// each, so that every stream is written while the number of calls in flight stays
// Config.Connections. Config.Rate paces the calls of all connections together.

// shareOf returns the writers connection i of n takes turns over: i, i+n, i+2n, …
func shareOf(writers []*writer, i, n int) []*writer {
	var share []*writer
	for w := i; w < len(writers); w += n {
		share = append(share, writers[w])
	}
	return share
}

// connection sends calls from its writers in turn until the phase is over, ctx is done, or
// one writer's calls keep failing.
func (p *writePhase) connection(ctx context.Context, c *client, share []*writer) error {
	for i := 0; p.claim(ctx); i++ {
		if err := share[i%len(share)].call(ctx, c, p); err != nil {
			return err
		}
	}
	return nil
}

// A pacer spaces calls evenly: call n of the phase is due at start + n × interval, whichever
// connection sends it. A nil pacer never waits.
type pacer struct {
	start    time.Time
	interval time.Duration
	issued   atomic.Int64
}

// newPacer returns the pacer of a run with Config.Rate, nil without.
func newPacer(cfg Config) *pacer {
	if cfg.Rate <= 0 {
		return nil
	}
	return &pacer{start: time.Now(), interval: time.Duration(float64(cfg.BatchRecords) / cfg.Rate * float64(time.Second))}
}

// wait takes the next call's turn and waits until it is due, ctx is done or stop is set.
func (pc *pacer) wait(ctx context.Context, stop *atomic.Bool) {
	if pc == nil {
		return
	}
	due := pc.start.Add(time.Duration(pc.issued.Add(1)-1) * pc.interval)
	for d := time.Until(due); d > 0 && ctx.Err() == nil && !stop.Load(); d = time.Until(due) {
		sleep(ctx, min(d, 100*time.Millisecond))
	}
}
