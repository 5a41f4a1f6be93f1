package stream

import "sync"

// Opening and closing many shards. A shard's Open after a crash and every shard's Close
// spend a few fsyncs each (the segment, the manifest, the directory). One shard after
// another, a store of 10,000 shards took 6 s to open and 80 s to close on the development
// machine's virtio disk (bench/curve-shards.sh); the file system commits the fsyncs of
// different files that wait at the same time together, so the store opens and closes the
// streams streamsAtOnce at a time, and the shards of each shardsAtOnce at a time.
const (
	streamsAtOnce = 8
	shardsAtOnce  = 8
)

// inParallel calls fn(i) for every i in [0, n), at most limit calls at a time, and returns
// their errors by i.
func inParallel(n, limit int, fn func(i int) error) []error {
	errs := make([]error, n)
	if n == 1 {
		errs[0] = fn(0)
		return errs
	}
	slots := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return errs
}

// firstError returns the first non-nil error of errs, nil if there is none.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// shardIO calls the test hook Options.shardIO, if set, as a shard is opened or closed.
func (s *Store) shardIO(op string) {
	if s.opts.shardIO != nil {
		s.opts.shardIO(op)
	}
}
