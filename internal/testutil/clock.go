package testutil

import (
	"sync"
	"time"
)

// Clock is a fake clock for the Now options of shard and stream: it stands still until a
// test moves it. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	ms int64
}

// NewClock returns a clock that reads ms (milliseconds since the Unix epoch).
func NewClock(ms int64) *Clock { return &Clock{ms: ms} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.UnixMilli(c.Ms()) }

// Ms returns the clock's time in milliseconds since the Unix epoch.
func (c *Clock) Ms() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ms
}

// Advance moves the clock by d (backwards if d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.ms += d.Milliseconds()
	c.mu.Unlock()
}

// Set moves the clock to ms.
func (c *Clock) Set(ms int64) {
	c.mu.Lock()
	c.ms = ms
	c.mu.Unlock()
}
