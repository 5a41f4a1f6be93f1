package stream

// Expire makes one retention pass now, as the background work does every
// Options.RetentionInterval.
func (s *Store) Expire() { s.expire() }

// The errors a few external tests expect, made by the constructors the store uses.
var (
	ExpiredIterator       = expiredIterator
	InvalidShardIterator  = invalidShardIterator
	TimestampInFuture     = timestampInFuture
	IteratorOfOtherStream = iteratorOfOtherStream
)
