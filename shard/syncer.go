package shard

import (
	"runtime"
	"sync"
)

// A Syncer makes the shards that share it durable in rounds. One round runs the fdatasync
// of every shard that has a waiter, all at once, and wakes every waiter of the round
// together. A write spread over several shards (a PutRecords request routed to four
// shards) then waits for one round, instead of for four shards' sync cycles, each at its
// own phase; and a round is as full as the writers in flight can make it.
//
// Share one Syncer among the shards of a store through Options.Syncer. It is used only
// under SyncAlways, and is safe for concurrent use.
type Syncer struct {
	mu      sync.Mutex
	cond    sync.Cond
	started uint64 // rounds begun
	done    uint64 // rounds finished
	running bool
	pending map[*Shard]struct{} // shards with a waiter, for the next round
}

// NewSyncer returns a Syncer with no shards.
func NewSyncer() *Syncer {
	y := &Syncer{pending: map[*Shard]struct{}{}}
	y.cond.L = &y.mu
	return y
}

// wait returns once a round has finished that includes s: the round in flight if there is
// one, else a round the caller leads. A round led by the caller, or one that began after the
// round in flight, has synced everything s had written before the call, or recorded its
// failure in s. The round in flight may also cover what s wrote, if it began after the write
// (the write finished while an earlier round ran, and its waiter came late): the caller
// checks s's durable offset after it and waits again only if it does not, rather than
// always waiting through one more round and one more fdatasync.
func (y *Syncer) wait(s *Shard) {
	y.mu.Lock()
	defer y.mu.Unlock()
	y.pending[s] = struct{}{}
	if !y.running {
		y.round()
		return
	}
	for done := y.done; y.done == done; {
		y.cond.Wait()
	}
}

// enqueue adds s to the next round without waiting for it (WaitAll).
func (y *Syncer) enqueue(s *Shard) {
	y.mu.Lock()
	y.pending[s] = struct{}{}
	y.mu.Unlock()
}

// round syncs every pending shard, leading the round from the calling goroutine. Called
// with mu held; it releases mu while the syncs run.
//
// Before it takes the round's shards the leader yields its P once, so that writers already
// ready to run write their batches and join this round. Without that, on one P (GOMAXPROCS
// 1, a server pinned to one CPU) nothing else ran until the leader's round was over: an
// fdatasync is a system call that keeps its P unless the runtime's monitor takes it back,
// which for a sync much shorter than the monitor's 10 ms tick it seldom does. Each ready
// writer then led a round of its own, one fdatasync per write however many waited (PutRecord
// at 512 connections). A writer that arrives during the yield finds the round running and
// waits for it; the round takes its shard, since the round's shards are taken after the yield.
// When nothing else is ready to run, the yield returns at once.
func (y *Syncer) round() {
	y.running = true
	y.started++
	y.mu.Unlock()
	runtime.Gosched()
	y.mu.Lock()
	shards := make([]*Shard, 0, len(y.pending))
	for s := range y.pending {
		shards = append(shards, s)
	}
	clear(y.pending)
	y.mu.Unlock()

	var wg sync.WaitGroup
	for _, s := range shards[1:] {
		wg.Go(s.syncOnce)
	}
	shards[0].syncOnce()
	wg.Wait()

	y.mu.Lock()
	y.running = false
	y.done++
	y.cond.Broadcast()
}
