package segment

import "fmt"

// Discard closes the Writer for a file that is about to be deleted: it releases the file
// without cutting the preallocated tail and without syncing, the two steps of Close that
// only matter to a file that is kept (each costs a journal commit on most file systems).
// What was appended and not synced may never reach the disk. After Discard, every method
// returns ErrClosed, as after Close.
func (w *Writer) Discard() error {
	if !w.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	err := w.f.Close()
	w.buf, w.enc.scratch = nil, nil
	if err != nil {
		return fmt.Errorf("segment %s: discard: %w", w.path, err)
	}
	return nil
}
