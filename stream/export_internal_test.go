package stream

import (
	"flag"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// seedFlag fixes the seed of the random tests, to replay a failure:
// go test ./stream -run TestX -seed=N (or SHARDLOG_SEED=N).
var seedFlag = flag.Uint64("seed", 0, "seed for the random tests (default: from SHARDLOG_SEED, else the clock)")

// NewTestRand returns a random source for a test, logging its seed so that a failure can be
// replayed with -seed. It is exported to the black-box tests by this file, which only the
// test build sees.
func NewTestRand(t testing.TB) *rand.Rand {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		if env := os.Getenv("SHARDLOG_SEED"); env != "" {
			var err error
			if seed, err = strconv.ParseUint(env, 10, 64); err != nil {
				t.Fatalf("SHARDLOG_SEED=%q: %v", env, err)
			}
		}
	}
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("random seed %d (replay with -seed=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Expire makes one retention pass now, as the background work does every
// Options.RetentionInterval.
func (s *Store) Expire() { s.expire() }
