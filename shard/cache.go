package shard

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
)

// errGone is returned by cache.acquire for a segment that DeleteExpired removed (or a shard
// that closed) after the reader found it: its records are expired, and the reader moves on.
var errGone = errors.New("shard: segment deleted")

// cache opens the readers and indexes of sealed segments lazily, on their first read, and
// closes them again: the least recently read beyond MaxMappedSegments, and any unread for
// IdleTimeout. A segment in use (refs > 0) is never closed under its reader. The active
// segment is pinned: opened when it is created and kept open while it takes appends, and
// after a roll until the checkpoint has written its index file from memory.
type cache struct {
	meta     func(*seg) index.Meta // a segment's Meta as readers see it now
	max      int                   // open unpinned segments kept
	idle     time.Duration         // close an unpinned segment unread this long
	interval int64                 // index interval for rebuilt indexes

	mu     sync.Mutex
	open   []*seg // opened, unpinned segments
	pinned []*seg // opened, pinned segments
	timer  *time.Timer
	maps   int // mappings held: readers and mapped index files
	closed bool
}

// acquire returns g's reader and index, opening them if need be. They serve reads below the
// End of g's Meta read after acquire returns (a Meta only grows). The caller must release g.
func (c *cache) acquire(g *seg) (*segment.Reader, *index.Index, error) {
	c.mu.Lock()
	if c.closed || g.retired {
		c.mu.Unlock()
		return nil, nil, errGone
	}
	g.refs++
	g.lastUse = time.Now()
	r, x := g.r, g.x
	c.mu.Unlock()
	if r != nil {
		return r, x, nil
	}
	r, x, err := c.openSlow(g)
	if err != nil {
		c.release(g)
		return nil, nil, err
	}
	return r, x, nil
}

// openSlow opens g for the first reader; concurrent first readers wait for one open. Only a
// sealed segment is ever opened here (the active one is pinned), so its Meta is final.
func (c *cache) openSlow(g *seg) (*segment.Reader, *index.Index, error) {
	g.omu.Lock()
	defer g.omu.Unlock()
	c.mu.Lock()
	r, x := g.r, g.x
	c.mu.Unlock()
	if r != nil {
		return r, x, nil
	}
	r, x, mapped, err := openSealed(g, c.meta(g), c.interval)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	g.r, g.x, g.xMapped = r, x, mapped
	c.maps++
	if mapped {
		c.maps++
	}
	c.open = append(c.open, g)
	c.evictLocked()
	c.armLocked()
	return r, x, nil
}

// release ends a use of g that acquire began.
func (c *cache) release(g *seg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g.refs--
	if g.refs == 0 && (g.retired || c.closed) {
		c.closeLocked(g)
	}
}

// pin installs the active segment's reader and in-memory index.
func (c *cache) pin(g *seg, r *segment.Reader, x *index.Index) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g.r, g.x, g.pinned = r, x, true
	c.maps++
	c.pinned = append(c.pinned, g)
}

// unpin turns a segment that was active, now sealed, into an ordinary cached segment.
func (c *cache) unpin(g *seg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !g.pinned {
		return
	}
	g.pinned, g.lastUse = false, time.Now()
	c.pinned = slices.DeleteFunc(c.pinned, func(o *seg) bool { return o == g })
	if g.r == nil {
		return // retired while pinned
	}
	c.open = append(c.open, g)
	c.evictLocked()
	c.armLocked()
}

// retire takes g out of use for good: it is closed now, or by its last reader. With unlink,
// its files are deleted once it is closed, so that no mapping outlives its file's name.
func (c *cache) retire(g *seg, unlink bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g.retired, g.unlink = true, unlink
	if g.refs == 0 {
		c.closeLocked(g)
	}
}

// close closes every segment as soon as its readers are done.
func (c *cache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	for _, g := range slices.Concat(c.open, c.pinned) {
		if g.refs == 0 {
			c.closeLocked(g)
		}
	}
}

// pinnedIndex returns the in-memory index of a pinned segment, or nil if the segment is not
// pinned (it was retired).
func (c *cache) pinnedIndex(g *seg) *index.Index {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !g.pinned {
		return nil
	}
	return g.x
}

// mappings returns how many memory mappings the cache holds.
func (c *cache) mappings() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maps
}

// closeLocked unmaps g and, if it was retired with unlink, deletes its files.
func (c *cache) closeLocked(g *seg) {
	if g.r != nil {
		g.r.Close()
		g.r = nil
		c.maps--
	}
	if g.x != nil {
		g.x.Close()
		if g.xMapped {
			c.maps--
		}
		g.x, g.xMapped = nil, false
	}
	if g.pinned {
		c.pinned = slices.DeleteFunc(c.pinned, func(o *seg) bool { return o == g })
		g.pinned = false
	}
	c.open = slices.DeleteFunc(c.open, func(o *seg) bool { return o == g })
	if g.unlink {
		g.unlink = false
		os.Remove(g.path)
		os.Remove(g.xpath)
	}
}

// evictLocked closes the least recently read unused segments beyond the limit.
func (c *cache) evictLocked() {
	for len(c.open) > c.max {
		var lru *seg
		for _, g := range c.open {
			if g.refs == 0 && (lru == nil || g.lastUse.Before(lru.lastUse)) {
				lru = g
			}
		}
		if lru == nil {
			return // all in use; they are closed when released and idle
		}
		c.closeLocked(lru)
	}
}

// armLocked schedules the idle sweep if segments are open and none is scheduled.
func (c *cache) armLocked() {
	if c.timer == nil && len(c.open) > 0 && !c.closed {
		c.timer = time.AfterFunc(c.idle, c.sweep)
	}
}

// sweep closes the unpinned segments unread for the idle timeout.
func (c *cache) sweep() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timer = nil
	if c.closed {
		return
	}
	now := time.Now()
	wait := c.idle
	for _, g := range slices.Clone(c.open) {
		idle := now.Sub(g.lastUse)
		switch {
		case g.refs == 0 && idle >= c.idle:
			c.closeLocked(g)
		case g.refs == 0:
			wait = min(wait, c.idle-idle)
		}
	}
	if len(c.open) > 0 {
		c.timer = time.AfterFunc(wait, c.sweep)
	}
}

// openSealed maps a sealed segment and loads its index, rebuilding the index file from the
// segment if it is missing or wrong. mapped reports whether the index maps its file.
func openSealed(g *seg, m index.Meta, interval int64) (r *segment.Reader, x *index.Index, mapped bool, err error) {
	r, err = segment.OpenReader(g.path, 0)
	if err != nil {
		return nil, nil, false, err
	}
	if h := r.Header(); h.FirstOffset != g.base {
		r.Close()
		return nil, nil, false, &segment.CorruptionError{Path: g.path, Offset: 0,
			Reason: fmt.Sprintf("header first offset %d, file name says %d", h.FirstOffset, g.base)}
	}
	rebuild := func(x *index.Index) (index.Meta, error) { return scanSealed(g, x) }
	x, xm, rebuilt, err := index.Load(g.xpath, g.base, m.End, interval, rebuild)
	if x == nil {
		r.Close()
		return nil, nil, false, err
	}
	if xm != m {
		x.Close()
		r.Close()
		return nil, nil, false, &segment.CorruptionError{Path: g.xpath, Offset: 0,
			Reason: fmt.Sprintf("index meta %+v, manifest says %+v", xm, m)}
	}
	return r, x, !rebuilt, nil
}

// scanSealed scans a sealed segment, adding an index entry per batch, and returns its Meta.
func scanSealed(g *seg, x *index.Index) (index.Meta, error) {
	res, err := segment.Scan(g.path, segment.ScanOptions{Batch: func(b segment.BatchInfo) {
		x.Add(index.Entry{Offset: b.FirstOffset, Position: b.Position, TimeMs: b.FirstTimeMs})
	}})
	if err != nil {
		return index.Meta{}, err
	}
	return index.Meta{BaseOffset: g.base, NextOffset: res.NextOffset, End: res.End,
		FirstTimeMs: res.FirstTimeMs, LastTimeMs: res.LastTimeMs}, nil
}
