package stream

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/shardlog/shardlog/kinesis"
)

// A Store holds the streams of one account in one region (Options.Account, Options.Region).
// A server that keeps several accounts and regions apart, as AWS does, opens one Store for
// each, each over a data directory of its own: the default account and region at the root
// of the data directory, as a data directory has always been laid out, and every other
// beneath it, in
//
//	<data dir>/accounts/<12-digit account>/<region>/   catalog/, streams/, secret, LOCK, …
//
// (ScopeDir). Each of these is a whole data directory, with its own catalog, iterator key,
// account settings and lock. The root Store takes accounts/ for one of its own entries, and
// Check walks every scope directory beneath it after the root.
const accountsDirName = "accounts"

// ScopeDir names the data directory of one account in one region beneath a data directory.
type ScopeDir struct {
	Account string // 12 digits
	Region  string // a region name (kinesis.IsRegionName)
	Dir     string // <data dir>/accounts/<Account>/<Region>
}

// ScopeDirOf returns the data directory of account in region beneath the data directory
// dataDir. The caller checks the names (kinesis.IsAccountID, kinesis.IsRegionName): they
// become path elements.
func ScopeDirOf(dataDir, account, region string) string {
	return filepath.Join(dataDir, accountsDirName, account, region)
}

// ScopeDirs lists the scope directories beneath the data directory dataDir, by account
// then region. Entries whose names are not an account id and a region name are left out
// (Check notes them).
func ScopeDirs(dataDir string) ([]ScopeDir, error) {
	var out []ScopeDir
	err := walkScopeDirs(dataDir, func(sc ScopeDir) { out = append(out, sc) }, func(string) {})
	return out, err
}

// walkScopeDirs calls found for each scope directory beneath dataDir, by account then
// region, and foreign for each other entry of accounts/ and of its account directories.
// A data directory without accounts/ has none.
func walkScopeDirs(dataDir string, found func(ScopeDir), foreign func(path string)) error {
	root := filepath.Join(dataDir, accountsDirName)
	accounts, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, a := range accounts {
		path := filepath.Join(root, a.Name())
		if !a.IsDir() || !kinesis.IsAccountID(a.Name()) {
			foreign(path)
			continue
		}
		regions, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		for _, r := range regions {
			dir := filepath.Join(path, r.Name())
			if !r.IsDir() || !kinesis.IsRegionName(r.Name()) {
				foreign(dir)
				continue
			}
			found(ScopeDir{Account: a.Name(), Region: r.Name(), Dir: dir})
		}
	}
	return nil
}

// checkScopes checks every scope directory beneath dataDir as a data directory of its
// own, and that each of its streams belongs to its account and region.
func (c *checker) checkScopes(dataDir string) {
	err := walkScopeDirs(dataDir, c.checkScope, func(path string) {
		c.note(path, "not an account or region directory of shardlog; the server leaves it alone")
	})
	if err != nil {
		c.badErr(filepath.Join(dataDir, accountsDirName), err)
	}
}

// checkScope checks one scope directory. One without a catalog is a scope that a server
// began to open and did not finish: nothing in it was acknowledged.
func (c *checker) checkScope(sc ScopeDir) {
	c.rep.Scopes = append(c.rep.Scopes, sc)
	if st, err := os.Stat(filepath.Join(sc.Dir, catalogDirName)); err != nil || !st.IsDir() {
		c.note(sc.Dir, "no catalog: no stream of account %s in %s was ever created here", sc.Account, sc.Region)
		return
	}
	for _, info := range c.checkDataDir(sc.Dir) {
		if info.Account != sc.Account || info.Region != sc.Region {
			c.note(filepath.Join(sc.Dir, catalogDirName, info.Name+catalogExt),
				"stream %s is of account %s in %s, not of this directory's account %s in %s; the server serves it here, under its own ARN",
				info.Name, info.Account, info.Region, sc.Account, sc.Region)
		}
	}
}
