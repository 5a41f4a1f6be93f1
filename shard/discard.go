package shard

import "fmt"

// Discard closes a shard whose files are about to be deleted (its stream is being removed):
// unlike Close, it neither cuts and syncs the active segment nor writes the indexes and the
// clean-shutdown manifest, five syncs that would be thrown away with the files. Appends
// that were written and are waiting for a sync are answered as durable: they share the
// fate of the shard, whose files go. Reads in flight finish on their mappings. After
// Discard, every method returns ErrClosed, as after Close; Remove deletes the files.
func (s *Shard) Discard() error {
	s.wmu.Lock()
	if s.closing {
		s.wmu.Unlock()
		return ErrClosed
	}
	if s.damaged != nil { // nothing open: Close writes nothing either
		s.wmu.Unlock()
		return s.Close()
	}
	s.stopBackground()
	var err error
	if ws := s.ws; ws.w != nil {
		s.syncMu.Lock()
		err = ws.w.Discard()
		s.syncable = nil
		s.syncMu.Unlock()
		s.ws.w = nil
		s.publish(ws)
		s.markDurable(ws.next)
	}
	s.wmu.Unlock()
	s.mu.Lock()
	s.closed = true
	s.wakeLocked()
	s.mu.Unlock()
	s.cache.close()
	if err != nil {
		return fmt.Errorf("shard %s: discard: %w", s.dir, err)
	}
	return nil
}
