package shardlog_test

import (
	"bufio"
	"errors"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// A layer is one row of the package table: a package of the module (its directory, "."
// for the root), its layer, and what it may import.
type layer struct {
	dir   string
	level int
	// mods are the packages of this module it may import, each in a lower layer; nil
	// with anyLower set means any package of a lower layer.
	mods     []string
	anyLower bool
	// deps are the module paths outside the standard library it may import (a prefix).
	deps []string
}

const (
	awsSDK = "github.com/aws/aws-sdk-go-v2"
	mmap   = "github.com/edsrzf/mmap-go"
	xsys   = "golang.org/x/sys"
	klaus  = "github.com/klauspost/compress"
	proto  = "google.golang.org/protobuf"
	xterm  = "golang.org/x/term"
	yaml   = "go.yaml.in/yaml"
	prom   = "github.com/prometheus/client_golang"
)

// layers is the package table of the README, by layer. A package imports only packages
// of lower layers, so packages of one layer (stream and server) know nothing of each other.
var layers = []layer{
	{dir: ".", level: 0},
	{dir: "kinesis", level: 0},
	{dir: "retention", level: 0},
	{dir: "internal/platform", level: 0, deps: []string{xsys}},
	{dir: "internal/lograte", level: 0},
	{dir: "internal/dirlock", level: 0, deps: []string{xsys}},
	{dir: "internal/sdkhttp", level: 0},
	{dir: "kpl", level: 0, deps: []string{proto}},
	{dir: "internal/eventstream", level: 0},
	{dir: "internal/b64", level: 0},

	{dir: "internal/durable", level: 1, mods: []string{"internal/platform"}},
	{dir: "internal/wire", level: 1, mods: []string{"kinesis", "internal/b64"}},
	{dir: "internal/throttle", level: 1, mods: []string{"kinesis"}},
	{dir: "internal/inject", level: 1, mods: []string{"kinesis"}},
	{dir: "internal/testutil", level: 1, mods: []string{"internal/sdkhttp"}},

	{dir: "internal/atomicfile", level: 2, mods: []string{"internal/durable"}},
	{dir: "internal/metrics", level: 2, mods: []string{"internal/durable", "kinesis"}, deps: []string{prom}},
	{dir: "internal/powerloss", level: 2, mods: []string{"internal/durable", "internal/testutil"}, deps: []string{xsys}},

	{dir: "segment", level: 3, mods: []string{"internal/atomicfile", "internal/durable", "internal/platform"}, deps: []string{mmap, klaus}},
	{dir: "index", level: 3, mods: []string{"internal/atomicfile"}, deps: []string{mmap}},

	{dir: "shard", level: 4, mods: []string{"segment", "index", "retention", "kinesis", "internal/atomicfile"}},

	{dir: "stream", level: 5, mods: []string{"shard", "segment", "retention", "kinesis", "internal/atomicfile", "internal/dirlock", "internal/lograte", "internal/b64"}},
	{dir: "server", level: 5, mods: []string{"kinesis", "internal/wire", "internal/b64", "internal/lograte", "internal/eventstream"}},

	{dir: "server/streambackend", level: 6, mods: []string{"server", "stream", "segment", "kinesis", "internal/metrics"}},
	{dir: "bench", level: 6, mods: []string{"kinesis", "internal/wire", "internal/eventstream"}, deps: []string{awsSDK}},
	{dir: "console", level: 6, mods: []string{"server", "kinesis", "kpl", "internal/metrics"}},

	{dir: "cmd/shardlog", level: 7, anyLower: true, deps: []string{awsSDK, xterm, yaml}},
	{dir: "fuzz", level: 7, anyLower: true},
	{dir: "shardlogtest", level: 7, mods: []string{"server", "server/streambackend", "stream", "shard", "internal/sdkhttp"}, deps: []string{awsSDK}},
	{dir: "bench/compare", level: 7, mods: []string{"bench"}},
}

// engine is the storage engine; server and its tests import none of it (they use fakes).
var engine = []string{"segment", "index", "shard", "stream", "retention", "server/streambackend"}

// modulePath reads the module path from go.mod.
func modulePath(t *testing.T) string {
	t.Helper()
	f, err := os.Open("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "module "); ok {
			return strings.TrimSpace(p)
		}
	}
	t.Fatal("go.mod: no module line")
	return ""
}

// pkg is what the layering needs of one package directory: its imports, and its tests'.
type pkg struct {
	imports, testImports []string
}

// contexts are the systems whose files are read: a file for one system counts as well.
var contexts = []string{"linux", "darwin", "windows"}

// packages reads every package directory under the module root (testdata and hidden
// directories aside), with the imports of its files for each system in contexts.
func packages(t *testing.T) map[string]pkg {
	t.Helper()
	pkgs := map[string]pkg{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != "." && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		// A directory with a go.mod of its own (bench/plot) is another module, left out as by go test ./...
		if _, err := os.Stat(filepath.Join(path, "go.mod")); path != "." && err == nil {
			return filepath.SkipDir
		}
		for _, goos := range contexts {
			ctx := build.Default
			ctx.GOOS = goos
			bp, err := ctx.ImportDir(path, 0)
			var noGo *build.NoGoError
			if errors.As(err, &noGo) {
				continue
			}
			if err != nil {
				return err
			}
			p := pkgs[filepath.ToSlash(path)]
			p.imports = append(p.imports, bp.Imports...)
			p.testImports = append(p.testImports, bp.TestImports...)
			p.testImports = append(p.testImports, bp.XTestImports...)
			pkgs[filepath.ToSlash(path)] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < len(layers)/2 {
		t.Fatalf("found %d packages under the module root; the walk went wrong", len(pkgs))
	}
	return pkgs
}

// byDir indexes the table.
func byDir(t *testing.T) map[string]layer {
	t.Helper()
	m := map[string]layer{}
	for _, l := range layers {
		if _, dup := m[l.dir]; dup {
			t.Errorf("layering table: %s twice", l.dir)
		}
		m[l.dir] = l
	}
	return m
}

// TestLayers_Table checks the table itself: what a row may import is in a lower layer.
func TestLayers_Table(t *testing.T) {
	table := byDir(t)
	for _, l := range layers {
		for _, m := range l.mods {
			to, ok := table[m]
			switch {
			case !ok:
				t.Errorf("layering table: %s may import %s, which is not in the table", l.dir, m)
			case to.level >= l.level:
				t.Errorf("layering table: %s (layer %d) may import %s (layer %d), not below it", l.dir, l.level, m, to.level)
			}
		}
	}
}

// TestLayers_EveryPackageInTable fails on a package that is not in the table. A row whose
// directory is absent (a package still to come) is allowed.
func TestLayers_EveryPackageInTable(t *testing.T) {
	table := byDir(t)
	for dir := range packages(t) {
		if _, ok := table[dir]; !ok {
			t.Errorf("package %s is not in the layering table of layers_test.go (and the README's)", dir)
		}
	}
}

// TestLayers_ImportsPointDown fails when a package imports one of its own layer or above,
// one its row does not list, or a module outside the standard library its row does not list.
func TestLayers_ImportsPointDown(t *testing.T) {
	module := modulePath(t)
	table := byDir(t)
	for dir, p := range packages(t) {
		from, ok := table[dir]
		if !ok {
			continue // TestLayers_EveryPackageInTable reports it
		}
		for _, imp := range dedup(p.imports) {
			checkImport(t, module, table, from, imp)
		}
	}
}

func checkImport(t *testing.T, module string, table map[string]layer, from layer, imp string) {
	t.Helper()
	rel, inModule := strings.CutPrefix(imp, module+"/")
	if !inModule {
		if isStd(imp) || slices.ContainsFunc(from.deps, func(d string) bool { return imp == d || strings.HasPrefix(imp, d+"/") }) {
			return
		}
		t.Errorf("%s imports %s, a module its row of the layering table does not list", from.dir, imp)
		return
	}
	to, ok := table[rel]
	switch {
	case !ok:
		t.Errorf("%s imports %s, which is not in the layering table", from.dir, rel)
	case to.level >= from.level:
		t.Errorf("%s (layer %d) imports %s (layer %d): imports point down the layers", from.dir, from.level, rel, to.level)
	case !from.anyLower && !slices.Contains(from.mods, rel):
		t.Errorf("%s imports %s, which its row of the layering table does not list", from.dir, rel)
	}
}

// TestLayers_ServerTestsUseFakes: server's tests, like server, import nothing of the engine;
// the tests that drive a real store are streambackend's.
func TestLayers_ServerTestsUseFakes(t *testing.T) {
	module := modulePath(t)
	p, ok := packages(t)["server"]
	if !ok {
		t.Fatal("no package server")
	}
	for _, imp := range dedup(append(p.imports, p.testImports...)) {
		if rel, ok := strings.CutPrefix(imp, module+"/"); ok && slices.Contains(engine, rel) {
			t.Errorf("server's tests import %s, a package of the engine: test the server with a fake Backend, the store in server/streambackend", rel)
		}
	}
}

// readmeRow matches a row of the README's package table: | **layer** `dir` | holds | may import |.
var readmeRow = regexp.MustCompile("^\\| \\*\\*([0-9]+)\\*\\* `([^`]+)` \\|[^|]*\\|([^|]*)\\|$")

// TestLayers_README fails when the README's package table and this one disagree: the same
// packages, and for each the same packages of this module it may import.
func TestLayers_README(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Packages\n")
	if !ok {
		t.Fatal("README: no section ## Packages")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	table := byDir(t)
	seen := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		m := readmeRow.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		dir := m[2]
		l, ok := table[dir]
		if !ok {
			t.Errorf("README: package %s is not in the layering table", dir)
			continue
		}
		seen[dir] = true
		if m[1] != strconv.Itoa(l.level) {
			t.Errorf("README: %s is in layer %s, the layering table says %d", dir, m[1], l.level)
		}
		if got, want := readmeImports(m[3]), readmeWant(l); !slices.Equal(got, want) {
			t.Errorf("README: %s may import %q, the layering table says %q", dir, got, want)
		}
	}
	for dir := range packages(t) {
		if !seen[dir] && dir != "." {
			t.Errorf("README: no row for package %s", dir)
		}
	}
}

// readmeImports is the packages of the module named in a README cell (in backquotes).
func readmeImports(cell string) []string {
	var mods []string
	for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(cell, -1) {
		mods = append(mods, m[1])
	}
	sort.Strings(mods)
	return mods
}

// readmeWant is the packages a README row names: the row's own list (a row that may import
// any lower layer says so in words).
func readmeWant(l layer) []string {
	mods := slices.Clone(l.mods)
	sort.Strings(mods)
	return mods
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func dedup(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// TestLayers_DocGo: every package says in its doc.go what concept lives there (STYLE.md §5),
// so that the package comment is found in one place.
func TestLayers_DocGo(t *testing.T) {
	for dir := range packages(t) {
		b, err := os.ReadFile(filepath.Join(dir, "doc.go"))
		if err != nil {
			t.Errorf("package %s has no doc.go: %v", dir, err)
			continue
		}
		if !regexp.MustCompile(`(?m)^// (Package|Command) \S+ `).Match(b) {
			t.Errorf("%s/doc.go has no package comment (// Package name …)", dir)
		}
	}
}
