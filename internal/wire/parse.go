package wire

import (
	"slices"
	"strings"
)

// Parsing a body into the tree of tree.go, for JSON (here) and CBOR
// (cbor.go), in time and memory linear in the body:
//
//   - the tree is built for the operation's shape: members the shape does not
//     have are checked for syntax and dropped at once; a container where the
//     shape wants something else becomes an empty marker of its kind (an empty
//     []any or Object), which is all the type check looks at; and a list stops
//     keeping elements after the first one the type check must reject, since
//     that element decides the list's error;
//   - repeated keys are found by a sort of the member names, not by comparing
//     each new key with every earlier one;
//   - member names of the shape are not copied out of the body.
//
// So a body of 320,000 keys, or an array of a million zeros, costs a pass over
// its bytes, and the tree is a small multiple of the body at most (server's
// BenchmarkDecode_Worst measures it).

// Bounds are what a parse may keep and spend, and what it counted.
type Bounds struct {
	// MaxMessages is how many elements of a list of structures that each
	// cost the request a validation message (null, or empty where a member
	// is required) are kept; later ones are only counted, in a MoreElements.
	// Zero keeps them all.
	MaxMessages int
	// MaxRendered is how many elements of a list of scalars are kept, as
	// many as a message renders; later ones are kept only if the type check
	// (Shape.Scalar) rejects them, and otherwise counted. Zero keeps them
	// all.
	MaxRendered int

	// Granted is how many bytes the tree may take before Grow is asked for
	// more; Grow reports whether it grants them, and the parse fails when it
	// does not. A nil Grow grants everything. The server's in-flight budget
	// so holds what a tree really costs, which is little for the bodies
	// clients send and more for hostile ones.
	Granted int64
	Grow    func(n int64) bool

	used    int64
	refused bool
	steps   int
}

// Used returns the bytes the parse counted for its tree.
func (b *Bounds) Used() int64 { return b.used }

// Steps returns the work the parse did: bytes read plus key comparisons,
// which tests hold to a linear bound.
func (b *Bounds) Steps() int { return b.steps }

// take counts n more bytes.
func (b *Bounds) take(n int) {
	b.used += int64(n)
	if b.used <= b.Granted || b.Grow == nil || b.refused {
		return
	}
	more := max(b.used-b.Granted, b.Granted, 64<<10) // at least doubling, so Grow is called O(log n) times
	if !b.Grow(more) {
		b.refused = true
		return
	}
	b.Granted += more
}

// Sizes taken for the parts of a tree.
const (
	slotBytes   = 16 // an element of a list, an interface
	fieldBytes  = 32 // a member of an object: its key and value
	headerBytes = 24 // a slice or string boxed in an interface
)

// parser is the state of one JSON parse: a Scanner that reads the tokens,
// and the bounds. Steps are the scanner's position plus the key comparisons.
type parser struct {
	s           Scanner
	bounds      *Bounds
	comparisons int
}

// ParseJSON parses a request body into a tree for the structure shape s (nil
// to check the syntax only), within bounds (nil: no bounds). It reports false
// unless the body is exactly one JSON object, or when bounds refuse to grow.
func ParseJSON(body []byte, s *Shape, bounds *Bounds) (Object, bool) {
	if bounds == nil {
		bounds = &Bounds{}
	}
	p := parser{s: NewScanner(body), bounds: bounds}
	obj, ok := p.parse(s)
	bounds.steps += p.s.Pos() + p.comparisons
	return obj, ok
}

func (p *parser) parse(s *Shape) (Object, bool) {
	if s == nil {
		s = &anyObject
	}
	v, ok := p.value(s, 0)
	if !ok || p.s.End() != nil || p.bounds.refused {
		return nil, false
	}
	obj, isObj := v.(Object)
	return obj, isObj
}

// listElem returns the shape of the elements of a list read for s, and
// whether the list is kept.
func listElem(s *Shape) (*Shape, bool) {
	if s != nil && (s.Kind == List || s.Kind == Any) {
		return s.Elem, true
	}
	return nil, false
}

// keepsMembers reports whether an object read for s keeps all its members
// (a map), some (a structure) or none.
func keepsMembers(s *Shape) (all, some bool) {
	switch {
	case s == nil:
		return false, false
	case s.Kind == Map || s.Kind == Any:
		return true, true
	}
	return false, s.Kind == Structure
}

// value reads one value for shape s; a nil s reads it for its syntax only.
func (p *parser) value(s *Shape, depth int) (any, bool) {
	if depth > MaxDepth || p.bounds.refused {
		return nil, false
	}
	switch c := p.s.Peek(); {
	case c == '{':
		return p.object(s, depth)
	case c == '[':
		return p.array(s, depth)
	case c == '"':
		return p.str(s != nil)
	case c == 't':
		return true, p.s.literal("true")
	case c == 'f':
		return false, p.s.literal("false")
	case c == 'n':
		return nil, p.s.literal("null")
	}
	text := p.s.Number()
	if p.s.Err() != nil || s == nil {
		return nil, p.s.Err() == nil
	}
	p.bounds.take(len(text) + headerBytes)
	return Number(text), true
}

// str reads a string and, if keep, returns its text as encoding/json decodes
// it.
func (p *parser) str(keep bool) (any, bool) {
	if !keep {
		p.s.RawString()
		return nil, p.s.Err() == nil
	}
	text, ok := p.text()
	return text, ok
}

// text reads a string and returns its text, counted in the bounds.
func (p *parser) text() (string, bool) {
	raw, plain := p.s.RawString()
	if p.s.Err() != nil {
		return "", false
	}
	p.bounds.take(len(raw) + headerBytes)
	if plain {
		return string(raw), true
	}
	return Unquote(raw), true
}

// array reads a list for shape s. A list where s wants no list is kept as an
// empty marker; a list stops keeping elements after the first one the type
// check rejects.
func (p *parser) array(s *Shape, depth int) (any, bool) {
	p.s.i++ // '[', which value saw
	elem, keep := listElem(s)
	list := elements{bounds: p.bounds}
	if p.s.Eat(']') {
		return p.listResult(s, list.done()), true
	}
	for {
		v, ok := p.value(elem, depth+1)
		if !ok {
			return nil, false
		}
		if keep && !list.add(v, elem) {
			keep, elem = false, nil
		}
		switch p.s.Peek() {
		case ',':
			p.s.i++
		case ']':
			p.s.i++
			return p.listResult(s, list.done()), true
		default:
			return nil, false
		}
	}
}

// elements gathers the kept elements of a list. They arrive in chunks, and
// the list is allocated once at its final length: a list of n elements
// allocates about 2n slots (append, which grows a large slice by a quarter,
// allocates about 5n; doubling, about 3n).
//
// Some elements are only counted, in one MoreElements at the end of the list:
//
//   - in a list of structures, a null element, and an empty one where the
//     structure needs a member, each cost the request a validation message
//     and can cause no type error; once Bounds.MaxMessages are kept, the
//     messages are full before any later element is reached;
//   - in a list of scalars, the elements past Bounds.MaxRendered, which a
//     message does not render: each is checked as it arrives, kept if the type
//     check rejects it, and otherwise only noted if validation would.
type elements struct {
	bounds  *Bounds
	chunks  chunked[any]
	flagged int // kept elements that each cost a validation message
	more    MoreElements
}

// add keeps v, or counts it, and reports whether later elements are still
// needed: false once the type check must reject v.
func (l *elements) add(v any, elem *Shape) bool {
	switch {
	case elem.Kind == Structure && costsMessage(v, elem):
		if l.bounds.MaxMessages > 0 && l.flagged == l.bounds.MaxMessages {
			l.more.N++
			return true
		}
		l.flagged++
	case elem.Kind < List && l.bounds.MaxRendered > 0 && l.chunks.n >= l.bounds.MaxRendered:
		if v == nil {
			l.more.N, l.more.Invalid = l.more.N+1, true
			return true
		}
		cv, accepted := v, true
		if elem.Scalar != nil {
			cv, accepted = elem.Scalar.TypeCheck(v)
		}
		if accepted {
			l.more.N++
			l.more.Invalid = l.more.Invalid || elem.Scalar != nil && !elem.Scalar.Valid(cv)
			return true
		}
	}
	l.chunks.add(v, l.bounds, slotBytes)
	return !rejects(v, elem)
}

// done returns the list, with its MoreElements if any, or nil if it is empty.
func (l *elements) done() []any {
	if l.more.N > 0 {
		l.chunks.add(l.more, l.bounds, slotBytes)
	}
	return l.chunks.done(l.bounds, slotBytes)
}

// chunked gathers values in chunks of at most maxChunk, each allocated once,
// and joins them at the end.
type chunked[T any] struct {
	full [][]T
	cur  []T
	n    int
}

const maxChunk = 4096

func (c *chunked[T]) add(v T, bounds *Bounds, size int) {
	if len(c.cur) == cap(c.cur) {
		if c.cur != nil {
			c.full = append(c.full, c.cur)
		}
		n := min(maxChunk, max(4, c.n))
		bounds.take(n * size)
		c.cur = make([]T, 0, n)
	}
	c.cur = append(c.cur, v)
	c.n++
}

func (c *chunked[T]) done(bounds *Bounds, size int) []T {
	if len(c.full) == 0 {
		return c.cur
	}
	bounds.take(c.n * size)
	out := make([]T, 0, c.n)
	for _, chunk := range c.full {
		out = append(out, chunk...)
	}
	return append(out, c.cur...)
}

// costsMessage reports whether an element of a list of structures elem is
// sure to fail validation, without a type error: null, or empty while elem
// needs a member.
func costsMessage(v any, elem *Shape) bool {
	if v == nil {
		return true
	}
	obj, ok := v.(Object)
	return ok && len(obj) == 0 && elem.NeedsMember
}

// listResult is what a list read for s leaves in the tree: nothing for a
// skipped value, the marker []any{} where s is not a list.
func (p *parser) listResult(s *Shape, list []any) any {
	_, isList := listElem(s)
	switch {
	case s == nil:
		return nil
	case !isList || list == nil:
		p.bounds.take(headerBytes)
		return []any{}
	}
	p.bounds.take(headerBytes)
	return list
}

// object reads an object for shape s: a structure keeps the members s has, a
// map every member; anything else keeps an empty marker.
func (p *parser) object(s *Shape, depth int) (any, bool) {
	var fields chunked[Field]
	p.s.i++ // '{', which value saw
	if p.s.Eat('}') {
		return p.objectResult(s, nil), true
	}
	for {
		if p.s.Peek() != '"' {
			return nil, false
		}
		name, vs, keep := p.memberKey(s)
		if !p.s.Want(':') {
			return nil, false
		}
		v, ok := p.value(vs, depth+1)
		if !ok {
			return nil, false
		}
		if keep {
			fields.add(Field{name, v}, p.bounds, fieldBytes)
		}
		switch p.s.Peek() {
		case ',':
			p.s.i++
		case '}':
			p.s.i++
			return p.objectResult(s, fields.done(p.bounds, fieldBytes)), true
		default:
			return nil, false
		}
	}
}

// memberKey reads a member name and decides what becomes of its value: the
// shape it is read with, and whether it is kept.
func (p *parser) memberKey(s *Shape) (name string, vs *Shape, keep bool) {
	all, some := keepsMembers(s)
	switch {
	case !some:
		p.s.RawString()
		return "", nil, false
	case all:
		name, _ := p.text()
		return name, s.Elem, true
	}
	raw, plain := p.s.RawString()
	if p.s.Err() != nil {
		return "", nil, false
	}
	if !plain {
		raw = []byte(Unquote(raw))
	}
	p.comparisons += len(s.Members)
	for i := range s.Members {
		if m := &s.Members[i]; string(raw) == m.Name { // compared without a copy
			return m.Name, m.Shape, true
		}
	}
	return "", nil, false
}

func (p *parser) objectResult(s *Shape, obj Object) any {
	_, some := keepsMembers(s)
	switch {
	case s == nil:
		return nil
	case !some:
		p.bounds.take(headerBytes)
		return Object{}
	}
	p.bounds.take(headerBytes + 4*len(obj)) // and dedupe's order
	obj, p.comparisons = dedupe(obj, p.comparisons)
	return obj
}

// dedupe applies JSON.parse's rule to repeated keys: a key keeps its first
// position and takes its last value. Small objects are compared pairwise;
// larger ones sorted by key, so that the cost grows as n log n. It returns the
// steps spent, added to steps.
func dedupe(obj Object, steps int) (Object, int) {
	if len(obj) <= 8 {
		out := obj[:0]
		for _, f := range obj {
			steps += len(out)
			out.Set(f.Key, f.Val)
		}
		clear(obj[len(out):])
		return out, steps
	}
	order := make([]int32, len(obj))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		steps++
		return strings.Compare(obj[a].Key, obj[b].Key)
	})
	dropped := false
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && obj[order[j]].Key == obj[order[i]].Key {
			j++
		}
		if j-i > 1 {
			obj[order[i]].Val = obj[order[j-1]].Val
			for _, k := range order[i+1 : j] {
				obj[k].Key, obj[k].Val = "\x00dropped", dropMark
			}
			dropped = true
		}
		i = j
	}
	if !dropped {
		return obj, steps
	}
	out := obj[:0]
	for _, f := range obj {
		if f.Val != dropMark {
			out = append(out, f)
		}
	}
	clear(obj[len(out):])
	return out, steps
}

// dropMark marks a repeated member while dedupe compacts an object.
var dropMark any = new(byte)
