package retention

import (
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/shardlog/shardlog/shard"
)

// DefaultInterval is how often a Loop looks for expired segments by default. Kafka checks
// every 5 minutes; a shorter pass costs little, since a shard with nothing to delete only
// compares a few times.
const DefaultInterval = 30 * time.Second

// Loop deletes the expired segments of its shards in the background, every interval.
type Loop struct {
	interval time.Duration
	log      *slog.Logger

	mu      sync.Mutex
	shards  map[*shard.Shard]struct{}
	stop    chan struct{} // closed by Stop; nil when not running
	stopped chan struct{} // closed when the goroutine has returned
}

// NewLoop returns a stopped Loop that runs every interval (DefaultInterval if <= 0) and
// logs what it deletes and what fails to log (discarded if nil).
func NewLoop(interval time.Duration, log *slog.Logger) *Loop {
	if interval <= 0 {
		interval = DefaultInterval
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Loop{interval: interval, log: log, shards: make(map[*shard.Shard]struct{})}
}

// Add registers s. Adding a shard twice registers it once.
func (l *Loop) Add(s *shard.Shard) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.shards[s] = struct{}{}
}

// Remove unregisters s; a pass that is running may still visit it. Remove shards before
// closing them, or let the loop drop them: a closed shard is dropped at its next pass.
func (l *Loop) Remove(s *shard.Shard) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.shards, s)
}

// Len returns the number of registered shards.
func (l *Loop) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.shards)
}

// RunOnce makes one pass: it deletes the expired segments of every registered shard, and
// returns how many it deleted and the errors of the shards that failed (errors.Join). A shard
// that was closed is unregistered without an error.
func (l *Loop) RunOnce() (deleted int, err error) {
	var errs []error
	for _, s := range l.snapshot() {
		n, bytes, err := s.DeleteExpired()
		deleted += n
		switch {
		case errors.Is(err, shard.ErrClosed):
			l.Remove(s)
		case err != nil:
			l.log.Error("retention: delete expired segments", "error", err)
			errs = append(errs, err)
		case n > 0:
			l.log.Debug("retention: deleted expired segments", "segments", n, "bytes", bytes)
		}
	}
	return deleted, errors.Join(errs...)
}

// snapshot returns the registered shards.
func (l *Loop) snapshot() []*shard.Shard {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*shard.Shard, 0, len(l.shards))
	for s := range l.shards {
		out = append(out, s)
	}
	return out
}

// Start starts the background passes. Starting a running Loop does nothing.
func (l *Loop) Start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stop != nil {
		return
	}
	l.stop, l.stopped = make(chan struct{}), make(chan struct{})
	go l.run(l.stop, l.stopped)
}

// run makes a pass every interval until stop is closed.
func (l *Loop) run(stop <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	t := time.NewTicker(l.interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			l.RunOnce() // errors are logged
		}
	}
}

// Stop stops the background passes and waits for a pass in progress to finish. Stopping a
// stopped Loop does nothing; a stopped Loop can be started again.
func (l *Loop) Stop() {
	l.mu.Lock()
	stop, stopped := l.stop, l.stopped
	l.stop, l.stopped = nil, nil
	l.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	<-stopped
}
