package main

import (
	"math/rand/v2"
	"strings"
)

// slot is one run of one scenario against one server.
type slot struct {
	run      int
	scenario string
	server   string
}

// order returns every (scenario, server) pair once for each of runs runs, the pairs of each
// run in a random order drawn from seed. Runs stay in sequence (all of run 1, then run 2),
// so that a run cut short leaves every pair measured as often as the others, give or take one.
func order(seed uint64, runs int, scenarios, servers []string) []slot {
	rng := rand.New(rand.NewPCG(seed, 0x636f6d70617265)) // "compare"
	var all []slot
	for r := 1; r <= runs; r++ {
		var block []slot
		for _, sc := range scenarios {
			for _, sv := range servers {
				block = append(block, slot{r, sc, sv})
			}
		}
		rng.Shuffle(len(block), func(i, j int) { block[i], block[j] = block[j], block[i] })
		all = append(all, block...)
	}
	return all
}

func splitComma(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
