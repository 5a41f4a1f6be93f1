package wire

// Shape is what the parser needs to know of a member type of the service
// model: its kind, a structure's members, a list's element or a map's value.
// The caller's own shapes (server's shapes.go) carry one each, with the
// constraints that only the caller checks.
type Shape struct {
	Kind    Kind
	Members []Member // structure members, in model order
	Elem    *Shape   // list element or map value; map keys are text

	// NeedsMember reports, for a structure, that an empty one fails
	// validation: it has a member required whatever else is given.
	NeedsMember bool

	// Scalar holds the caller's checks of a scalar, which the parser asks
	// about the elements of a list it only counts (Bounds.MaxRendered); nil
	// accepts every value as valid.
	Scalar ScalarChecks
}

// ScalarChecks are the caller's checks of a scalar shape.
type ScalarChecks interface {
	// TypeCheck returns v converted, or false when the type check rejects it.
	TypeCheck(v any) (any, bool)
	// Valid reports whether a converted value satisfies the shape's rules.
	// The parser asks only while no counted element has failed.
	Valid(cv any) bool
}

// Member is one member of a structure.
type Member struct {
	Name  string // as on the wire: "StreamName"
	Shape *Shape
}

// Kind is the wire type of a shape.
type Kind uint8

// Kinds; the scalars come before List.
const (
	String Kind = iota
	Integer
	Boolean
	Blob
	Timestamp
	List
	Map
	Structure
	Any // no model member: the parser keeps any value under it, for tests
)

// anyObject is the shape of a body whose members matter to no one: an object
// with none, so that every member is only checked.
var anyObject = Shape{Kind: Structure}

// rejects reports whether a type check surely rejects v for shape s, whatever
// v holds: the kind of value alone decides (a list element of this kind ends
// the list's check with its error).
func rejects(v any, s *Shape) bool {
	if v == nil || s.Kind == Any {
		return false // a null element is skipped by the check
	}
	switch s.Kind {
	case String:
		_, ok := v.(string)
		return !ok
	case Integer:
		_, ok := v.(Number)
		return !ok
	case Boolean:
		_, ok := v.(bool)
		return !ok
	case Blob:
		switch v.(type) {
		case []byte, string:
			return false
		}
		return true
	case Timestamp:
		switch v.(type) {
		case Number, EpochMillis:
			return false
		}
		return true
	case List:
		_, ok := v.([]any)
		return !ok
	}
	_, ok := v.(Object)
	return !ok
}
