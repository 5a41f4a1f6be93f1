package streambackend

import (
	"context"
	"errors"
)

// DeleteAllStreams deletes every stream of every account and region whose Store is open
// (all those on disk, since Open opens them), at once and without DELETING delays
// (stream.Store.DeleteAllStreams), and returns when they are gone, with how many there
// were. It is the hook of server.Options.Reset.
func (m *Scoped) DeleteAllStreams(context.Context) (int, error) {
	n, err := m.root.store.DeleteAllStreams()
	errs := []error{err}
	for _, b := range *m.stores.Load() {
		k, err := b.store.DeleteAllStreams()
		n += k
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}
