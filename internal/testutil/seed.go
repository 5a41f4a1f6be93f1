package testutil

import (
	"flag"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

var seedFlag = flag.Uint64("seed", 0, "seed of the random tests (0: SHARDLOG_SEED, else the clock)")

// Seed returns the seed of a random test: -seed if given, else SHARDLOG_SEED, else the
// clock. It logs the seed, so that a failure can be replayed.
func Seed(t testing.TB) uint64 {
	t.Helper()
	seed := *seedFlag
	if env := os.Getenv("SHARDLOG_SEED"); seed == 0 && env != "" {
		var err error
		if seed, err = strconv.ParseUint(env, 10, 64); err != nil {
			t.Fatalf("SHARDLOG_SEED=%q: %v", env, err)
		}
	}
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -seed=%d or SHARDLOG_SEED=%d)", seed, seed, seed)
	return seed
}

// Rand returns a generator seeded with Seed(t).
func Rand(t testing.TB) *rand.Rand {
	t.Helper()
	seed := Seed(t)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}
