package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// version overrides the module version of the build information when set at build time
// with -ldflags "-X main.version=…" (a release build from a source archive, which has no
// VCS information).
var version = ""

// buildInfo is what the binary knows of how it was built: the module version (go install
// module@version) or "(devel)" for a build from a checkout, and, for the latter, the VCS
// revision, its commit time and whether the tree had changes.
type buildInfo struct {
	Version   string `json:"version"`
	Revision  string `json:"revision,omitempty"`
	Time      string `json:"time,omitempty"` // commit time, RFC 3339
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"goVersion"`
}

// readBuildInfo returns the binary's build information.
func readBuildInfo() buildInfo {
	bi, _ := debug.ReadBuildInfo()
	return buildInfoFrom(bi, version)
}

// buildInfoFrom extracts a buildInfo from bi (nil when the binary has none), with override,
// if not empty, as the version.
func buildInfoFrom(bi *debug.BuildInfo, override string) buildInfo {
	b := buildInfo{Version: "(devel)"}
	if bi != nil {
		b.GoVersion = bi.GoVersion
		if v := bi.Main.Version; v != "" {
			b.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Revision = s.Value
			case "vcs.time":
				b.Time = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if override != "" {
		b.Version = override
	}
	return b
}

// String is the line `shardlog version` prints, e.g.
// "shardlog (devel) revision 90c4af3f… 2026-12-05T06:00:00Z (modified) go1.26.8".
func (b buildInfo) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "shardlog %s", b.Version)
	if b.Revision != "" {
		fmt.Fprintf(&s, " revision %s", b.Revision)
	}
	if b.Time != "" {
		fmt.Fprintf(&s, " %s", b.Time)
	}
	if b.Modified {
		s.WriteString(" (modified)")
	}
	if b.GoVersion != "" {
		fmt.Fprintf(&s, " %s", b.GoVersion)
	}
	return s.String()
}
