package main

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
)

// What `shardlog serve` lets in: SigV4 keys (--auth, --auth-file), the browser
// origins allowed to call it (--cors-origin), and the warning when it listens
// beyond this machine with nothing checking who calls.

// listFlag is a flag that may be repeated, each value a comma-separated list.
// Values are kept as given and checked after parsing, so that a malformed
// secret is never echoed in an error.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// loadCredentials gathers the ACCESS_KEY:SECRET pairs of --auth and of the
// --auth-file (one pair a line; blank lines and lines starting with # are
// skipped). An access key given twice with different secrets is an error.
func loadCredentials(pairs []string, file string) (map[string]string, error) {
	keys := map[string]string{}
	for i, p := range pairs {
		if err := addCredential(keys, p); err != nil {
			return nil, fmt.Errorf("--auth value %d: %w", i+1, err)
		}
	}
	if file == "" {
		return keys, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("--auth-file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := addCredential(keys, line); err != nil {
			return nil, fmt.Errorf("--auth-file %s line %d: %w", file, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--auth-file %s: %w", file, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("--auth-file %s: no ACCESS_KEY:SECRET line", file)
	}
	return keys, nil
}

var errPairForm = errors.New("want ACCESS_KEY:SECRET, both non-empty")

func addCredential(keys map[string]string, pair string) error {
	id, secret, ok := strings.Cut(strings.TrimSpace(pair), ":")
	if !ok || id == "" || secret == "" || strings.ContainsAny(id, " /") {
		return errPairForm
	}
	if old, dup := keys[id]; dup && old != secret {
		return fmt.Errorf("access key %s is given twice with different secrets", id)
	}
	keys[id] = secret
	return nil
}

// checkOrigins accepts "*" and exact origins: scheme://host[:port] with no
// path, as a browser sends them in the Origin header.
func checkOrigins(origins []string) error {
	for _, o := range origins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || o != strings.ToLower(o) {
			return fmt.Errorf("--cors-origin %q: want an origin such as http://localhost:3000 "+
				"(lower-case scheme://host[:port], no path or trailing slash) or *", o)
		}
	}
	return nil
}

// exposed reports whether a listener on addr can be reached from other
// machines while nothing checks who calls: any address but a loopback one.
func exposed(addr net.Addr, authOn bool) bool {
	if authOn {
		return false
	}
	tcp, ok := addr.(*net.TCPAddr)
	return !ok || !tcp.IP.IsLoopback()
}

// warnIfExposed logs the warning for a listener that exposed reports.
func warnIfExposed(log *slog.Logger, addr net.Addr, authOn bool) {
	if !exposed(addr, authOn) {
		return
	}
	log.Warn("listening beyond loopback with no authentication: anyone who can reach this address can list, read, write and delete streams",
		"addr", addr.String(),
		"fix", "require signed requests with --auth ACCESS_KEY:SECRET or --auth-file PATH (or SHARDLOG_AUTH), or listen on 127.0.0.1")
}
