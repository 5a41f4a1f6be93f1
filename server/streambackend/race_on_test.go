//go:build race

package streambackend_test

// raceEnabled says the race detector is on: it makes sync.Pool drop some of what it is given,
// on purpose, so memory reuse is not measurable then.
const raceEnabled = true
