package server

import (
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Parsing a body into the tree of decode.go, for JSON (here) and CBOR
// (cbor.go), in time and memory linear in the body:
//
//   - the tree is built for the operation's shape: members the shape does not
//     have are checked for syntax and dropped at once; a container where the
//     shape wants something else becomes an empty marker of its kind (an empty
//     []any or object), which is all the type check looks at; and a list stops
//     keeping elements after the first one the type check must reject, since
//     that element decides the list's error;
//   - repeated keys are found by a sort of the member names, not by comparing
//     each new key with every earlier one;
//   - member names of the shape are not copied out of the body.
//
// So a body of 320,000 keys, or an array of a million zeros, costs a pass over
// its bytes, and the tree is a small multiple of the body at most
// (BenchmarkDecode_Worst measures it).

// parser is the state of one JSON parse. steps counts the work done, bytes
// read plus key comparisons, which tests hold to a linear budget.
type parser struct {
	b      []byte
	i      int
	steps  int
	budget *treeBudget
}

// treeBudget counts the bytes a parse allocates for its tree. Past what it
// was granted, it asks grow for more, and the parse stops when grow refuses:
// the server's in-flight budget then holds what the tree really costs, which
// is little for the bodies clients send and more for hostile ones.
type treeBudget struct {
	used, granted int64
	grow          func(n int64) bool // nil: no bound
	refused       bool
}

// take counts n more bytes.
func (b *treeBudget) take(n int) {
	b.used += int64(n)
	if b.used <= b.granted || b.grow == nil || b.refused {
		return
	}
	more := max(b.used-b.granted, b.granted, 64<<10) // at least doubling, so grow is called O(log n) times
	if !b.grow(more) {
		b.refused = true
		return
	}
	b.granted += more
}

// Sizes taken for the parts of a tree.
const (
	slotBytes   = 16 // an element of a list, an interface
	fieldBytes  = 32 // a member of an object: its key and value
	headerBytes = 24 // a slice or string boxed in an interface
)

// parseJSON parses a request body into a tree for the structure shape s (nil
// to check the syntax only). It reports false unless the body is exactly one
// JSON object.
func parseJSON(body []byte, s *shape) (object, bool) {
	return parseJSONWithin(body, s, &treeBudget{})
}

// parseJSONWithin is parseJSON counting the tree's bytes in budget.
func parseJSONWithin(body []byte, s *shape, budget *treeBudget) (object, bool) {
	p := parser{b: body, budget: budget}
	return p.parse(s)
}

func (p *parser) parse(s *shape) (object, bool) {
	if s == nil {
		s = &anyObject
	}
	v, ok := p.value(s, 0)
	p.space()
	if !ok || p.i != len(p.b) || p.budget.refused {
		return nil, false
	}
	obj, isObj := v.(object)
	return obj, isObj
}

// anyObject is the shape of a body whose members matter to no one: an object
// with none, so that every member is only checked.
var anyObject = shape{kind: kindStructure}

// anyTree keeps every value of a body, as the parser before parse.go did: the
// tests compare whole trees with it.
var anyTree = func() *shape {
	s := &shape{kind: kindAny}
	s.elem = s
	return s
}()

// listElem returns the shape of the elements of a list read for s, and
// whether the list is kept.
func listElem(s *shape) (*shape, bool) {
	if s != nil && (s.kind == kindList || s.kind == kindAny) {
		return s.elem, true
	}
	return nil, false
}

// keepsMembers reports whether an object read for s keeps all its members
// (a map), some (a structure) or none.
func keepsMembers(s *shape) (all, some bool) {
	switch {
	case s == nil:
		return false, false
	case s.kind == kindMap || s.kind == kindAny:
		return true, true
	}
	return false, s.kind == kindStructure
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
			p.steps++
		default:
			return
		}
	}
}

// value reads one value for shape s; a nil s reads it for its syntax only.
func (p *parser) value(s *shape, depth int) (any, bool) {
	if depth > maxDepth || p.budget.refused {
		return nil, false
	}
	p.space()
	if p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(s, depth)
	case c == '[':
		return p.array(s, depth)
	case c == '"':
		str, ok := p.str(s != nil)
		return str, ok
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	default:
		start := p.i
		if !p.number() {
			return nil, false
		}
		if s == nil {
			return nil, true
		}
		p.budget.take(p.i - start + headerBytes)
		return number(p.b[start:p.i]), true
	}
}

func (p *parser) literal(word string) bool {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	p.steps += len(word)
	return true
}

// number reads a number as RFC 8259 writes it: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
func (p *parser) number() bool {
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case !p.digits():
		return false
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if !p.digits() {
			return false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return false
		}
	}
	p.steps += p.i - start
	return true
}

// digits reads one or more decimal digits.
func (p *parser) digits() bool {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}

// str reads a string and, if keep, returns its text as encoding/json decodes
// it: escapes resolved, a lone or broken surrogate and each invalid UTF-8 byte
// replaced by U+FFFD.
func (p *parser) str(keep bool) (string, bool) {
	raw, plain, ok := p.rawString()
	if !ok || !keep {
		return "", ok
	}
	p.budget.take(len(raw) + headerBytes)
	if plain {
		return string(raw), true
	}
	return unquote(raw), true
}

// rawString reads a string's bytes between the quotes, checking its syntax;
// plain reports that it has neither escapes nor invalid UTF-8.
func (p *parser) rawString() (raw []byte, plain bool, ok bool) {
	p.i++ // the opening quote
	start := p.i
	plain = true
	ascii := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			raw = p.b[start:p.i]
			p.i++
			p.steps += p.i - start + 1
			return raw, plain && (ascii || utf8.Valid(raw)), true
		case c < 0x20:
			return nil, false, false
		case c == '\\':
			plain = false
			if !p.escape() {
				return nil, false, false
			}
			continue
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return nil, false, false
}

// escape checks one escape sequence and moves past it.
func (p *parser) escape() bool {
	if p.i+1 >= len(p.b) {
		return false
	}
	switch p.b[p.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		p.i += 2
		return true
	case 'u':
		if hex4(p.b[p.i+2:]) < 0 {
			return false
		}
		p.i += 6
		return true
	}
	return false
}

// hex4 reads four hexadecimal digits, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unquote decodes the checked bytes of a string with escapes or invalid
// UTF-8, exactly as encoding/json does.
func unquote(raw []byte) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\' && raw[i+1] == 'u':
			r := hex4(raw[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if pair := utf16.DecodeRune(r, hex4(raw[i+2:])); pair != utf8.RuneError {
						b.WriteRune(pair)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
		case c == '\\':
			b.WriteByte(unescaped[raw[i+1]])
			i += 2
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			b.WriteRune(r) // RuneError for an invalid byte, as encoding/json writes it
			i += size
		}
	}
	return b.String()
}

// unescaped maps the letter of a one-letter escape to its byte.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// array reads a list for shape s. A list where s wants no list is kept as an
// empty marker; a list stops keeping elements after the first one the type
// check rejects.
func (p *parser) array(s *shape, depth int) (any, bool) {
	p.i++ // '['
	p.steps++
	elem, keep := listElem(s)
	list := elements{budget: p.budget}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
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
		p.space()
		if p.i >= len(p.b) {
			return nil, false
		}
		c := p.b[p.i]
		p.i++
		p.steps++
		switch c {
		case ',':
		case ']':
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
// Some elements are only counted, in one moreElements at the end of the list:
//
//   - in a list of structures, a null element, and an empty one where the
//     structure has a required member, each cost the request a validation
//     message and can cause no type error; once ten are kept, the messages are
//     full (maxValidationErrors) before any later element is reached;
//   - in a list of scalars, the elements past maxRenderedElements, which a
//     message does not render: each is checked as it arrives, kept if the type
//     check rejects it, and otherwise only noted if validation would.
type elements struct {
	budget  *treeBudget
	chunks  chunked[any]
	flagged int // kept elements that each cost a validation message
	more    moreElements
}

// moreElements stands, at the end of a list, for n elements that
// elements.add counted without keeping; invalid notes that one of them fails
// its element rules.
type moreElements struct {
	n       int
	invalid bool
}

// add keeps v, or counts it, and reports whether later elements are still
// needed: false once the type check must reject v.
func (l *elements) add(v any, elem *shape) bool {
	switch {
	case elem.kind == kindStructure && costsMessage(v, elem):
		if l.flagged == maxValidationErrors {
			l.more.n++
			return true
		}
		l.flagged++
	case elem.kind < kindList && l.chunks.n >= maxRenderedElements:
		if v == nil {
			l.more.n, l.more.invalid = l.more.n+1, true
			return true
		}
		cv, err := checkValue(v, elem)
		if err == nil {
			l.more.n++
			l.more.invalid = l.more.invalid || !scalarValid(cv, elem)
			return true
		}
	}
	l.chunks.add(v, l.budget, slotBytes)
	return !rejects(v, elem)
}

// done returns the list, with its moreElements if any, or nil if it is empty.
func (l *elements) done() []any {
	if l.more.n > 0 {
		l.chunks.add(l.more, l.budget, slotBytes)
	}
	return l.chunks.done(l.budget, slotBytes)
}

// chunked gathers values in chunks of at most maxChunk, each allocated once,
// and joins them at the end.
type chunked[T any] struct {
	full [][]T
	cur  []T
	n    int
}

const maxChunk = 4096

func (c *chunked[T]) add(v T, budget *treeBudget, size int) {
	if len(c.cur) == cap(c.cur) {
		if c.cur != nil {
			c.full = append(c.full, c.cur)
		}
		n := min(maxChunk, max(4, c.n))
		budget.take(n * size)
		c.cur = make([]T, 0, n)
	}
	c.cur = append(c.cur, v)
	c.n++
}

func (c *chunked[T]) done(budget *treeBudget, size int) []T {
	if len(c.full) == 0 {
		return c.cur
	}
	budget.take(c.n * size)
	out := make([]T, 0, c.n)
	for _, chunk := range c.full {
		out = append(out, chunk...)
	}
	return append(out, c.cur...)
}

// costsMessage reports whether an element of a list of structures elem is
// sure to fail validation, without a type error: null, or empty while elem
// requires a member.
func costsMessage(v any, elem *shape) bool {
	if v == nil {
		return true
	}
	if obj, ok := v.(object); !ok || len(obj) > 0 {
		return false
	}
	for _, m := range elem.members {
		if m.required && m.unless == "" {
			return true
		}
	}
	return false
}

// listLen is the number of elements of a list, counting a moreElements.
func listLen(list []any) int {
	if n := len(list); n > 0 {
		if more, ok := list[n-1].(moreElements); ok {
			return n - 1 + more.n
		}
	}
	return len(list)
}

// listResult is what a list read for s leaves in the tree: nothing for a
// skipped value, the marker []any{} where s is not a list.
func (p *parser) listResult(s *shape, list []any) any {
	_, isList := listElem(s)
	switch {
	case s == nil:
		return nil
	case !isList || list == nil:
		p.budget.take(headerBytes)
		return []any{}
	}
	p.budget.take(headerBytes)
	return list
}

// object reads an object for shape s: a structure keeps the members s has, a
// map every member; anything else keeps an empty marker.
func (p *parser) object(s *shape, depth int) (any, bool) {
	p.i++ // '{'
	p.steps++
	var fields chunked[field]
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return p.objectResult(s, nil), true
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, false
		}
		name, vs, keep := p.memberKey(s)
		if !p.next(':') {
			return nil, false
		}
		v, ok := p.value(vs, depth+1)
		if !ok {
			return nil, false
		}
		if keep {
			fields.add(field{name, v}, p.budget, fieldBytes)
		}
		p.space()
		if p.i >= len(p.b) {
			return nil, false
		}
		c := p.b[p.i]
		p.i++
		p.steps++
		switch c {
		case ',':
		case '}':
			return p.objectResult(s, fields.done(p.budget, fieldBytes)), true
		default:
			return nil, false
		}
	}
}

// memberKey reads a member name and decides what becomes of its value: the
// shape it is read with, and whether it is kept.
func (p *parser) memberKey(s *shape) (name string, vs *shape, keep bool) {
	all, some := keepsMembers(s)
	switch {
	case !some:
		_, _, ok := p.rawString()
		if !ok {
			p.i = len(p.b) + 1 // fails the ':' that follows
		}
		return "", nil, false
	case all:
		name, ok := p.str(true)
		if !ok {
			p.i = len(p.b) + 1
		}
		return name, s.elem, true
	}
	raw, plain, ok := p.rawString()
	if !ok {
		p.i = len(p.b) + 1
		return "", nil, false
	}
	if !plain {
		raw = []byte(unquote(raw))
	}
	p.steps += len(s.members)
	for i := range s.members {
		if m := &s.members[i]; string(raw) == m.name { // compared without a copy
			return m.name, m.shape, true
		}
	}
	return "", nil, false
}

// next skips white space and consumes c if it comes next.
func (p *parser) next(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		p.steps++
		return true
	}
	return false
}

func (p *parser) objectResult(s *shape, obj object) any {
	_, some := keepsMembers(s)
	switch {
	case s == nil:
		return nil
	case !some:
		p.budget.take(headerBytes)
		return object{}
	}
	p.budget.take(headerBytes + 4*len(obj)) // and dedupe's order
	obj, p.steps = dedupe(obj, p.steps)
	return obj
}

// dedupe applies JSON.parse's rule to repeated keys: a key keeps its first
// position and takes its last value. Small objects are compared pairwise;
// larger ones sorted by key, so that the cost grows as n log n. It returns the
// steps spent, added to steps.
func dedupe(obj object, steps int) (object, int) {
	if len(obj) <= 8 {
		out := obj[:0]
		for _, f := range obj {
			steps += len(out)
			out.set(f.key, f.val)
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
		return strings.Compare(obj[a].key, obj[b].key)
	})
	dropped := false
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && obj[order[j]].key == obj[order[i]].key {
			j++
		}
		if j-i > 1 {
			obj[order[i]].val = obj[order[j-1]].val
			for _, k := range order[i+1 : j] {
				obj[k].key, obj[k].val = "\x00dropped", dropMark
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
		if f.val != dropMark {
			out = append(out, f)
		}
	}
	clear(obj[len(out):])
	return out, steps
}

// dropMark marks a repeated member while dedupe compacts an object.
var dropMark any = new(byte)

// rejects reports whether the type check surely rejects v for shape s,
// whatever v holds: the kind of value alone decides (a list element of this
// kind ends the list's check with its error).
func rejects(v any, s *shape) bool {
	if v == nil || s.kind == kindAny {
		return false // a null element is skipped by the check
	}
	switch s.kind {
	case kindString:
		_, ok := v.(string)
		return !ok
	case kindInteger:
		_, ok := v.(number)
		return !ok
	case kindBoolean:
		_, ok := v.(bool)
		return !ok
	case kindBlob:
		switch v.(type) {
		case []byte, string:
			return false
		}
		return true
	case kindTimestamp:
		switch v.(type) {
		case number, epochMillis:
			return false
		}
		return true
	case kindList:
		_, ok := v.([]any)
		return !ok
	}
	_, ok := v.(object)
	return !ok
}
