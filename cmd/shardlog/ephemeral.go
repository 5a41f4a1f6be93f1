package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
)

// resolveEphemeral settles where an --ephemeral server keeps its data: in --data when it
// was given (on the command line or as SHARDLOG_DATA), which is then kept at exit; else in
// a new temporary directory that serve removes when it stops (dataDir "" until serve makes
// it). Without --ephemeral it does nothing.
func (c *serveConfig) resolveEphemeral(fs *flag.FlagSet) {
	if !c.ephemeral {
		return
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "data" })
	if !given {
		c.dataDir = ""
	}
}

// ephemeralDir makes the temporary data directory of an --ephemeral server that was given
// no --data, and returns the function that removes it, to be called once the store is
// closed. It logs what --ephemeral means. Without --ephemeral it does nothing.
func (c *serveConfig) ephemeralDir(log *slog.Logger) (remove func(), err error) {
	remove = func() {}
	if !c.ephemeral {
		return remove, nil
	}
	temporary := c.dataDir == ""
	if temporary {
		if c.dataDir, err = os.MkdirTemp("", "shardlog-ephemeral-"); err != nil {
			return nil, fmt.Errorf("--ephemeral: data directory: %w", err)
		}
		dir := c.dataDir
		remove = func() {
			if err := os.RemoveAll(dir); err != nil {
				log.Warn("ephemeral: remove the data directory", "data", dir, "error", err)
			}
		}
	}
	log.Warn("ephemeral: nothing under the data directory is synced, records nor streams; "+
		"a crash or power loss may lose or damage all of it", "data", c.dataDir, "removed_at_exit", temporary)
	return remove, nil
}
