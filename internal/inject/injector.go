package inject

import (
	"math/rand/v2"
	"sync"
)

// Injector decides which calls fail, by the rules of a Spec.
type Injector struct {
	rules map[string]Rule

	mu  sync.Mutex
	rng *rand.Rand
}

// New returns an Injector of spec whose draws follow seed.
func New(spec Spec, seed uint64) *Injector {
	in := &Injector{rules: make(map[string]Rule, len(spec)), rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for _, r := range spec {
		in.rules[r.key()] = r
	}
	return in
}

// Fail returns the error type a call of op on stream ("" when it names none) fails with,
// or "" when it goes ahead; for PutRecordsRecords, one record of a PutRecords.
func (in *Injector) Fail(op, stream string) string {
	r, ok := in.rules[op+"@"+stream]
	if !ok {
		r, ok = in.rules[op]
	}
	if !ok {
		return ""
	}
	in.mu.Lock()
	x := in.rng.Float64()
	in.mu.Unlock()
	if x < r.Fraction {
		return r.Error
	}
	return ""
}
