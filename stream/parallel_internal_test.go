package stream

import (
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/shard"
)

// overlap is a shardIO hook that records, per operation, the most calls in flight at once.
// Each call waits until another call of the same operation is in flight, or until wait has
// passed, so that calls made one after another are seen as such (a bound, not a timing).
type overlap struct {
	wait time.Duration

	mu       sync.Mutex
	cond     *sync.Cond
	inFlight map[string]int
	most     map[string]int
}

func newOverlap(wait time.Duration) *overlap {
	o := &overlap{wait: wait, inFlight: map[string]int{}, most: map[string]int{}}
	o.cond = sync.NewCond(&o.mu)
	return o
}

func (o *overlap) hook(op string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.inFlight[op]++
	o.most[op] = max(o.most[op], o.inFlight[op])
	o.cond.Broadcast()
	timer := time.AfterFunc(o.wait, func() { o.mu.Lock(); o.cond.Broadcast(); o.mu.Unlock() })
	defer timer.Stop()
	for deadline := time.Now().Add(o.wait); o.most[op] < 2 && time.Now().Before(deadline); {
		o.cond.Wait()
	}
	o.inFlight[op]--
}

func (o *overlap) mostInFlight(op string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.most[op]
}

// TestStore_OpensAndClosesShardsInParallel: a store opens and closes its shards several at a
// time, streams and the shards of a stream alike, rather than one after another: the fsyncs
// of one shard's Open after a crash or Close then share the file system's commits with the
// others', which took a 10,000-shard store's stop from 80 s to a few seconds.
func TestStore_OpensAndClosesShardsInParallel(t *testing.T) {
	for _, tc := range []struct {
		name            string
		streams, shards int
	}{
		{"streams of one shard", 4, 1},
		{"one stream of many shards", 1, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Shard: shard.Options{Sync: shard.SyncNone}, ShardLimit: 100}
			st, err := Open(dir, opts)
			require.NoError(t, err)
			for i := range tc.streams {
				require.NoError(t, st.CreateStream(string(rune('a'+i)), StreamConfig{ShardCount: tc.shards}))
			}
			require.NoError(t, st.Close())

			o := newOverlap(200 * time.Millisecond)
			opts.shardIO = o.hook
			st, err = Open(dir, opts)
			require.NoError(t, err)
			require.Equal(t, tc.streams*tc.shards, st.Recovery().Shards)
			require.NoError(t, st.Close())
			require.GreaterOrEqual(t, o.mostInFlight("open"), 2, "shards opened at once")
			require.GreaterOrEqual(t, o.mostInFlight("close"), 2, "shards closed at once")
		})
	}
}
