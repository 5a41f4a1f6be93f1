package shard

// RoundsDone returns how many sync rounds y has finished, for the group-commit tail
// benchmark's count of the rounds each call waited through.
func (y *Syncer) RoundsDone() uint64 {
	y.mu.Lock()
	defer y.mu.Unlock()
	return y.done
}

// Pending returns how many shards wait for y's next round.
func (y *Syncer) Pending() int {
	y.mu.Lock()
	defer y.mu.Unlock()
	return len(y.pending)
}
