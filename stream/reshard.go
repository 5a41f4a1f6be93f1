package stream

// finishUpdate ends UPDATING: the pending reshard, if any, is carried out, and the stream
// is ACTIVE again. Called with e.mu held.
func (s *Store) finishUpdate(e *streamEntry, v *streamView, nowMs int64) (*streamView, error) {
	info := v.info.clone()
	info.Status, info.StatusDueMs, info.Reshard = StatusActive, 0, nil
	return s.publish(e, info, v.shards)
}
