package server

import "runtime"

// Writes admitted at once. PutRecord and PutRecords requests are decoded, run
// and answered at most Options.MaxWritesInFlight at a time; the others wait,
// in arrival order, with their bodies read (and counted against
// MaxInFlightBytes) but not decoded. Without the bound every connection is a
// goroutine doing a write's CPU work at once: at 512 writers on one CPU the
// goroutine that holds a shard's write lock, and the one that leads the next
// sync round, each waited behind hundreds of runnable goroutines for every
// turn, so throughput fell to a fraction of the 64-writer figure while the
// server's CPU per call and its memory (one decoded request, engine batch and
// answer per connection) grew. With the bound, more writers than slots wait
// for a slot instead, as they would wait for one another's locks, and the
// server's work per call stays that of a bounded number of writes.
//
// The slot is taken once the body is whole, so that a client that sends its
// body slowly holds memory (bounded by MaxInFlightBytes and the body
// deadlines) but never a slot; and it is given back as soon as the operation
// has built its answer, before the answer is sent, so that a client that
// reads its answer slowly does not hold one either. A request waits for a
// slot until it gets one or its client goes away.

// writesPerProc is the default number of write slots per GOMAXPROCS: on one
// CPU, PutRecords throughput stops growing by 64 writers
// (bench/curve-connections.sh), and 64 calls in flight fill a group-commit
// round.
const writesPerProc = 64

// defaultMaxWritesInFlight is Options.MaxWritesInFlight's default.
func defaultMaxWritesInFlight() int { return writesPerProc * runtime.GOMAXPROCS(0) }

// isWrite reports whether an operation takes a write slot.
func isWrite(op *operation) bool {
	return op != nil && (op.name == "PutRecords" || op.name == "PutRecord")
}

// writeSlots is the semaphore of the writes in flight. Blocked senders on a
// channel are served in the order they came, so no write waits for ever
// behind later ones.
type writeSlots chan struct{}

// admitWrite takes a write slot for a PutRecord or PutRecords request, and
// reports false when the client went away while it waited (no one is left
// to answer). Other operations pass through.
func (c *call) admitWrite(op *operation) bool {
	if c.s == nil || c.s.writes == nil || !isWrite(op) || c.writeSlot {
		return true
	}
	select {
	case c.s.writes <- struct{}{}:
		c.writeSlot = true
		return true
	default:
	}
	if c.s.opts.onWriteWait != nil {
		c.s.opts.onWriteWait()
	}
	select {
	case c.s.writes <- struct{}{}:
		c.writeSlot = true
		return true
	case <-c.ctx.Done():
		c.status, c.errType = 0, "Canceled"
		return false
	}
}

// releaseWrite gives the request's write slot back, if it holds one.
func (c *call) releaseWrite() {
	if c.writeSlot {
		c.writeSlot = false
		<-c.s.writes
	}
}
