package stream

import (
	"errors"
	"fmt"
	"slices"
)

// DeleteAllStreams deletes every stream of the store at once, consumers, queues and files
// included, as DeleteStream with EnforceConsumerDeletion would after its DELETING delay,
// but with none: it returns when they are gone, with how many it deleted. It is the reset
// of a test suite that shares one server. A stream created while it runs may survive it.
func (s *Store) DeleteAllStreams() (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	names := make([]string, 0, len(*s.streams.Load()))
	for name := range *s.streams.Load() {
		names = append(names, name)
	}
	slices.Sort(names)
	n := 0
	var errs []error
	for _, name := range names {
		deleted, err := s.deleteNow(name)
		if deleted {
			n++
		}
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}

// deleteNow makes the named stream DELETING with its change due at once, then carries the
// change out. A stream already gone is no error and no deletion.
func (s *Store) deleteNow(name string) (bool, error) {
	var queues []string // their delivery state goes with the stream's files
	err := s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		now := s.nowMs()
		info.Status, info.StatusDueMs = StatusDeleting, now
		info.Reshard = nil
		info.deleteConsumers(now, now)
		for _, q := range info.Queues {
			queues = append(queues, q.ID)
		}
		return info, nil
	}, s.endSubscriptionsOf(name))
	defer s.forgetRuns(queues)
	switch {
	case err != nil && s.entry(name) == nil: // deleted meanwhile
		return false, nil
	case err != nil:
		return false, fmt.Errorf("stream: delete stream %s: %w", name, err)
	}
	if _, v, err := s.current(name); err != nil {
		return false, err
	} else if v != nil {
		return false, fmt.Errorf("stream: delete stream %s: its files could not be removed yet (see the log); the maintenance loop retries", name)
	}
	return true, nil
}
