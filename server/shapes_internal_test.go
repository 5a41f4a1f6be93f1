package server

import (
	"testing"

	"github.com/shardlog/shardlog/internal/wire"
)

// TestShapes_Bound checks that every shape an operation reads has its
// wire.Shape built by bind, and that it says what the shape says: a shape
// made as a literal, without a constructor, would parse as a string.
func TestShapes_Bound(t *testing.T) {
	var walk func(s *shape, path string)
	walk = func(s *shape, path string) {
		w := &s.wire
		if w.Kind != s.kind {
			t.Errorf("%s: wire kind %d, shape kind %d (not built by a constructor?)", path, w.Kind, s.kind)
			return
		}
		if s.elem != nil {
			if w.Elem != &s.elem.wire {
				t.Errorf("%s: wire element is not the element's wire shape", path)
			}
			walk(s.elem, path+".member")
		}
		if len(w.Members) != len(s.members) {
			t.Errorf("%s: %d wire members, %d members", path, len(w.Members), len(s.members))
			return
		}
		needs := false
		for i, m := range s.members {
			if w.Members[i].Name != m.name || w.Members[i].Shape != &m.shape.wire {
				t.Errorf("%s: wire member %d is %q, member is %q", path, i, w.Members[i].Name, m.name)
			}
			needs = needs || m.required && m.unless == ""
			walk(m.shape, path+"."+m.path)
		}
		if w.NeedsMember != needs {
			t.Errorf("%s: NeedsMember = %v, want %v", path, w.NeedsMember, needs)
		}
		if scalar := s.kind < kindList; (w.Scalar == wire.ScalarChecks(s)) != scalar {
			t.Errorf("%s: Scalar = %v for a shape of kind %d", path, w.Scalar, s.kind)
		}
	}
	for name, op := range newOperations(Options{}.withDefaults()) {
		walk(op.shape, name)
	}
}
