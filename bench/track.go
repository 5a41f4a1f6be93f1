package bench

import (
	"math/bits"
	"sync/atomic"
)

// bitset is a growable set of record counts, one bit each. Writers fill theirs alone; the
// read-back reads them once the writers are done.
type bitset []uint64

func (b *bitset) set(i uint64) {
	w := int(i / 64)
	if w >= len(*b) {
		grown := make([]uint64, max(w+1, 2*len(*b)))
		copy(grown, *b)
		*b = grown
	}
	(*b)[w] |= 1 << (i % 64)
}

func (b *bitset) setRange(from, n uint64) {
	for i := from; i < from+n; i++ {
		b.set(i)
	}
}

func (b bitset) has(i uint64) bool {
	w := int(i / 64)
	return w < len(b) && b[w]&(1<<(i%64)) != 0
}

// word returns word w of the set, 0 past its end.
func (b bitset) word(w int) uint64 {
	if w < len(b) {
		return b[w]
	}
	return 0
}

// writeTrack is what one writer knows of its records once the write phase ends.
type writeTrack struct {
	sent  uint64 // records numbered 0 to sent-1 were sent
	acked bitset // the server acknowledged them
	doubt bitset // their call got no usable answer: stored or not, nobody knows
}

// seenSet records which records of one writer were read back; readers of different shards
// mark it at once.
type seenSet []atomic.Uint64

func newSeenSet(records uint64) seenSet { return make(seenSet, (records+63)/64) }

// mark records i as read and reports whether it had been read before.
func (s seenSet) mark(i uint64) (again bool) {
	bit := uint64(1) << (i % 64)
	return s[i/64].Or(bit)&bit != 0
}

// lostAndDoubt counts, for one writer, the acknowledged records never read, and the records
// in doubt that were not acknowledged.
func lostAndDoubt(t *writeTrack, seen seenSet) (lost, doubt int64) {
	for w := range seen {
		acked := t.acked.word(w)
		lost += int64(bits.OnesCount64(acked &^ seen[w].Load()))
		doubt += int64(bits.OnesCount64(t.doubt.word(w) &^ acked))
	}
	return lost, doubt
}

// or sets in b every record set in o.
func (b *bitset) or(o bitset) {
	if len(o) > len(*b) {
		grown := make([]uint64, len(o))
		copy(grown, *b)
		*b = grown
	}
	for w, v := range o {
		(*b)[w] |= v
	}
}

// countFrom counts the records of b numbered n or more.
func (b bitset) countFrom(n uint64) int64 {
	var c int64
	for w := int(n / 64); w < len(b); w++ {
		v := b[w]
		if w == int(n/64) {
			v &^= 1<<(n%64) - 1
		}
		c += int64(bits.OnesCount64(v))
	}
	return c
}

// seenAgainst compares the records of one writer a consumer was pushed (seen) with what the
// writer knows of them: lost are acknowledged and never pushed, doubt in doubt and not
// acknowledged, unacked pushed although their write was refused.
func seenAgainst(t *writeTrack, seen bitset) (lost, doubt, unacked int64) {
	words := max(len(seen), len(t.acked), len(t.doubt))
	for w := range words {
		acked, inDoubt, got := t.acked.word(w), t.doubt.word(w), seen.word(w)
		lost += int64(bits.OnesCount64(acked &^ got))
		doubt += int64(bits.OnesCount64(inDoubt &^ acked))
		unacked += int64(bits.OnesCount64(got &^ (acked | inDoubt)))
	}
	return lost, doubt, unacked
}
