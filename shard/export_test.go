package shard

// WithCheckpointBytes returns o with the active segment checkpointed every n bytes of growth
// instead of every 16 MiB, to make tests checkpoint often or never.
func WithCheckpointBytes(o Options, n int64) Options {
	o.checkpointBytes = n
	return o
}

// Abandon releases the shard's files without the clean-shutdown flag, as a crash would leave
// them (less the page cache): the next Open recovers with a scan.
func (s *Shard) Abandon() { s.abandon() }

// WaitBackground waits for the shard's background work in flight (a checkpoint, an interval
// sync) to end. No append may run meanwhile.
func (s *Shard) WaitBackground() { s.bg.Wait() }
