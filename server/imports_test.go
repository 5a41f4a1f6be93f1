package server_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestServer_ImportsNoEngine holds the layering of doc.go: server, and every package of
// this module it imports, directly or not, import none of the storage engine. The Backend
// over a stream.Store lives in server/streambackend, which imports both.
func TestServer_ImportsNoEngine(t *testing.T) {
	const module = "github.com/shardlog/shardlog/"
	engine := map[string]bool{}
	for _, p := range []string{"stream", "shard", "segment", "index", "retention"} {
		engine[module+p] = true
	}
	seen := map[string]bool{}
	var walk func(path, from string)
	walk = func(path, from string) {
		if seen[path] {
			return
		}
		seen[path] = true
		if engine[path] {
			t.Errorf("%s imports %s, a package of the storage engine", from, path)
			return
		}
		pkg, err := build.Import(path, ".", 0)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		for _, imp := range pkg.Imports { // non-test files only
			if strings.HasPrefix(imp, module) {
				walk(imp, path)
			}
		}
	}
	walk(module+"server", "")
	if len(seen) < 2 {
		t.Fatalf("walked %d packages; the walk did not follow server's imports", len(seen))
	}
}
