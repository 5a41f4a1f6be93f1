package lograte

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// DefaultInterval is how long a Limiter counts repeats of a message before it writes it again.
const DefaultInterval = 10 * time.Second

// Limiter writes to a slog.Logger at most one record per message per interval.
type Limiter struct {
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	mu   sync.Mutex
	seen map[string]*window // by message: the messages are constants, so the map stays small
}

// window is the interval that began when a message was last written.
type window struct {
	start      time.Time
	suppressed int // occurrences left out since start
}

// New returns a Limiter that writes to log at most once per every (DefaultInterval if 0) for
// each message, reading the time from now (time.Now if nil).
func New(log *slog.Logger, every time.Duration, now func() time.Time) *Limiter {
	if every <= 0 {
		every = DefaultInterval
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{log: log, every: every, now: now, seen: map[string]*window{}}
}

// Error logs msg at the error level; see Log.
func (l *Limiter) Error(msg string, args ...any) { l.Log(slog.LevelError, msg, args...) }

// Warn logs msg at the warning level; see Log.
func (l *Limiter) Warn(msg string, args ...any) { l.Log(slog.LevelWarn, msg, args...) }

// Log writes msg with args at level, unless msg was written less than the interval ago, in
// which case it only counts it. When msg is written again after repeats were counted, a line
// "<msg>: N more like this in the last <d>" comes first.
func (l *Limiter) Log(level slog.Level, msg string, args ...any) {
	now := l.now()
	l.mu.Lock()
	w := l.seen[msg]
	if w != nil && now.Sub(w.start) < l.every {
		w.suppressed++
		l.mu.Unlock()
		return
	}
	var suppressed int
	var since time.Time
	if w != nil {
		suppressed, since = w.suppressed, w.start
	}
	l.seen[msg] = &window{start: now}
	l.mu.Unlock()
	ctx := context.Background()
	if suppressed > 0 {
		l.log.Log(ctx, level, fmt.Sprintf("%s: %d more like this in the last %v", msg, suppressed, now.Sub(since).Round(time.Second)))
	}
	l.log.Log(ctx, level, msg, args...)
}
