package shard

// SetCheckpointBytes sets how far the active segment grows between checkpoints, and returns
// a function that restores the old value.
func SetCheckpointBytes(n int64) (restore func()) {
	old := checkpointBytes
	checkpointBytes = n
	return func() { checkpointBytes = old }
}

// Abandon releases the shard's files without the clean-shutdown flag, as a crash would leave
// them (less the page cache): the next Open recovers with a scan.
func (s *Shard) Abandon() { s.abandon() }
