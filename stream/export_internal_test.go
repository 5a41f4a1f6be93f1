package stream

// Expire makes one retention pass now, as the background work does every
// Options.RetentionInterval.
func (s *Store) Expire() { s.expire() }
