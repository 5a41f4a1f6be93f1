package server

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/kinesis"
)

// Constraint validation, coral style (KINESIS-API.md §1.8): every violated rule
// of every member becomes one message, in model member order, and the request
// fails with a single ValidationException that counts them:
//
//	2 validation errors detected: Value null at 'records' failed to satisfy
//	constraint: Member must not be null; Value null at 'streamName' …
//
// At most maxValidationErrors are collected and counted, as coral does.

const maxValidationErrors = 10

// Rule texts.
const (
	ruleNotNull = "Member must not be null"
	ruleMinLen  = "Member must have length greater than or equal to "
	ruleMaxLen  = "Member must have length less than or equal to "
	ruleMinVal  = "Member must have value greater than or equal to "
	ruleMaxVal  = "Member must have value less than or equal to "
	rulePattern = "Member must satisfy regular expression pattern: "
	ruleEnum    = "Member must satisfy enum value set: ["
)

// structureEntryName renders one element of a list of structures, the way Java's
// default toString printed the request entries AWS echoed back.
const structureEntryName = "com.amazonaws.kinesis.v20131202.%s@c965e310"

type validator struct {
	msgs []string
}

// validate checks in, a type-checked structure, against s and returns the
// ValidationException, or nil if every constraint holds.
func validate(in checked, s *shape) *kinesis.Error {
	var v validator
	v.structure(in, s, "")
	if len(v.msgs) == 0 {
		return nil
	}
	noun := " validation errors detected: "
	if len(v.msgs) == 1 {
		noun = " validation error detected: "
	}
	return validationError(strconv.Itoa(len(v.msgs)) + noun + strings.Join(v.msgs, "; "))
}

func (v *validator) full() bool { return len(v.msgs) >= maxValidationErrors }

// fail records one violated rule. value is the rendered value, or "" for null.
func (v *validator) fail(value, path, rule string, null bool) {
	if v.full() {
		return
	}
	if null {
		v.msgs = append(v.msgs, "Value null at '"+path+"' failed to satisfy constraint: "+rule)
		return
	}
	v.msgs = append(v.msgs, "Value '"+value+"' at '"+path+"' failed to satisfy constraint: "+rule)
}

func (v *validator) structure(in checked, s *shape, prefix string) {
	for i, m := range s.members {
		path := prefix + m.path
		val := in.at(i)
		if val == nil {
			if m.required && (m.unless == "" || in.member(s, m.unless) == nil) {
				v.fail("", path, ruleNotNull, true)
			}
			continue
		}
		v.value(val, m.shape, path)
	}
}

func (v *validator) value(val any, s *shape, path string) {
	switch s.kind {
	case kindString:
		v.scalar(val.(string), s, path)
	case kindInteger:
		n := val.(int64)
		text := strconv.FormatInt(n, 10)
		if s.hasMin && n < s.minVal {
			v.fail(text, path, ruleMinVal+strconv.FormatInt(s.minVal, 10), false)
		}
		if s.hasMax && n > s.maxVal {
			v.fail(text, path, ruleMaxVal+strconv.FormatInt(s.maxVal, 10), false)
		}
	case kindBlob:
		if b := val.([]byte); lengthFails(len(b), s) {
			v.length(renderScalar(b), len(b), s, path)
		}
	case kindList:
		v.list(val.([]any), s, path)
	case kindMap:
		v.mapValue(val.(wire.Object), s, path)
	case kindStructure:
		v.structure(val.(checked), s, path+".")
	}
}

// scalar checks a string: pattern, then length, then enum.
func (v *validator) scalar(str string, s *shape, path string) {
	if s.re != nil && !s.re.MatchString(str) {
		v.fail(str, path, rulePattern+s.pattern, false)
	}
	v.length(str, javaLength(str), s, path)
	if s.enum != nil && !slices.Contains(s.enum, str) {
		v.fail(str, path, ruleEnum+strings.Join(s.enum, ", ")+"]", false)
	}
}

// lengthFails reports whether a length of n breaks a bound of s.
func lengthFails(n int, s *shape) bool {
	return s.minLen != noBound && n < s.minLen || s.maxLen != noBound && n > s.maxLen
}

func (v *validator) length(text string, n int, s *shape, path string) {
	if s.minLen != noBound && n < s.minLen {
		v.fail(text, path, ruleMinLen+strconv.Itoa(s.minLen), false)
	}
	if s.maxLen != noBound && n > s.maxLen {
		v.fail(text, path, ruleMaxLen+strconv.Itoa(s.maxLen), false)
	}
}

// list checks the list's length, then its elements: each structure element
// member by member under "<path>.<n>.member.", and scalar elements together, in
// one message that lists the element rules.
func (v *validator) list(list []any, s *shape, path string) {
	text := "" // rendered once, for both rules that may need it
	render := func() string {
		if text == "" {
			text = renderList(list, s.elem)
		}
		return text
	}
	if n := wire.ListLen(list); lengthFails(n, s) {
		v.length(render(), n, s, path)
	}
	if s.elem.kind == kindStructure {
		for i, e := range list {
			if v.full() {
				return
			}
			if _, more := e.(wire.MoreElements); more {
				panic("server: elements counted before the validation messages were full")
			}
			elemPath := path + "." + strconv.Itoa(i+1) + ".member"
			if e == nil {
				v.fail("", elemPath, ruleNotNull, true)
				continue
			}
			v.structure(e.(checked), s.elem, elemPath+".")
		}
		return
	}
	for _, e := range list {
		more, isMore := e.(wire.MoreElements)
		if e == nil || isMore && more.Invalid || !isMore && !scalarValid(e, s.elem) {
			v.fail(render(), path, "Member must satisfy constraint: "+elementRules(s.elem), false)
			return
		}
	}
}

// mapValue checks a map's size, then its keys together, then its values together.
func (v *validator) mapValue(m wire.Object, s *shape, path string) {
	text := renderMap(m)
	v.length(text, len(m), s, path)
	for _, f := range m {
		if !stringValid(f.Key, s.key) {
			v.fail(text, path, "Map keys must satisfy constraint: "+elementRules(s.key), false)
			break
		}
	}
	for _, f := range m {
		val, _ := f.Val.(string)
		if !stringValid(val, s.elem) {
			v.fail(text, path, "Map value must satisfy constraint: "+elementRules(s.elem), false)
			break
		}
	}
}

// stringValid is scalarValid for a string, without boxing it.
func stringValid(str string, s *shape) bool {
	var probe validator
	probe.scalar(str, s, "")
	return len(probe.msgs) == 0
}

// scalarValid reports whether a list element or map key or value satisfies its shape.
func scalarValid(val any, s *shape) bool {
	var probe validator
	probe.value(val, s, "")
	return len(probe.msgs) == 0
}

// elementRules lists every rule of an element shape, the way coral prints the
// constraint of a list member or map key: "[Member must have length less than
// or equal to 128, Member must have length greater than or equal to 1]".
func elementRules(s *shape) string {
	var rules []string
	if s.maxLen != noBound {
		rules = append(rules, ruleMaxLen+strconv.Itoa(s.maxLen))
	}
	if s.minLen != noBound {
		rules = append(rules, ruleMinLen+strconv.Itoa(s.minLen))
	}
	if s.re != nil {
		rules = append(rules, rulePattern+s.pattern)
	}
	if s.enum != nil {
		rules = append(rules, ruleEnum+strings.Join(s.enum, ", ")+"]")
	}
	return "[" + strings.Join(rules, ", ") + "]"
}

// maxRenderedElements bounds how many elements of a list a message renders.
// An element of a list of structures renders as a 60-byte class name,
// whatever it holds, so a body of a million "{}" would otherwise answer with a
// message of 60 MB; a list of at most this many elements (every list a client
// means to send: the longest the model allows has 500) renders whole.
const maxRenderedElements = 1000

func renderList(list []any, elem *shape) string {
	if elem.kind == kindStructure {
		return renderStructures(wire.ListLen(list), elem)
	}
	size := 2
	for _, e := range list {
		size += len(renderScalar(e)) + len("null, ")
	}
	var b strings.Builder
	b.Grow(size + len(", ... 1000000000 more"))
	b.WriteByte('[')
	for i, e := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		if more, ok := e.(wire.MoreElements); ok {
			b.WriteString("... " + strconv.Itoa(more.N) + " more")
			break
		}
		switch {
		case e == nil:
			b.WriteString("null")
		default:
			b.WriteString(renderScalar(e))
		}
	}
	b.WriteByte(']')
	return b.String()
}

// renderStructures renders a list of n structures: each element the same
// name, the first maxRenderedElements of them.
func renderStructures(n int, elem *shape) string {
	name := strings.Replace(structureEntryName, "%s", elem.name, 1)
	var b strings.Builder
	b.WriteByte('[')
	for i := range min(n, maxRenderedElements) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(name)
	}
	if n > maxRenderedElements {
		b.WriteString(", ... " + strconv.Itoa(n-maxRenderedElements) + " more")
	}
	b.WriteByte(']')
	return b.String()
}

func renderMap(m wire.Object) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range m {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Key)
		b.WriteByte('=')
		if f.Val == nil {
			b.WriteString("null")
		} else {
			b.WriteString(renderScalar(f.Val))
		}
	}
	b.WriteByte('}')
	return b.String()
}

func renderScalar(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case int64:
		return strconv.FormatInt(t, 10)
	case bool:
		return strconv.FormatBool(t)
	case []byte:
		return "java.nio.HeapByteBuffer[pos=0 lim=" + strconv.Itoa(len(t)) + " cap=" + strconv.Itoa(len(t)) + "]"
	}
	return ""
}

// javaLength is the length of s as Java and JavaScript count it, in UTF-16 code
// units: the unit AWS uses for string lengths such as the 256-character bound
// of a partition key.
func javaLength(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		n++
		if r > 0xFFFF {
			n++
		}
		i += size
	}
	return n
}
