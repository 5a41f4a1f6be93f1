package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shardlog/shardlog/server"
)

const resetUsage = `Usage: shardlog reset [flags]

Deletes every stream of every account and region of a server at once (POST
/_shardlog/reset) and returns when they are gone: the reset between the tests of a suite
that shares one server. The server answers it only on a loopback address.

`

// resetConfig is everything `shardlog reset` can be told.
type resetConfig struct {
	endpoint string
	timeout  time.Duration
	caBundle string
}

func runReset(args []string, stdout, stderr io.Writer) int {
	var cfg resetConfig
	fs := newFlagSet("reset", resetUsage, stderr)
	fs.StringVar(&cfg.endpoint, "endpoint", "http://127.0.0.1:4567", "the server's endpoint URL (http:// or https://)")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "how long to wait for the answer")
	fs.StringVar(&cfg.caBundle, "ca-bundle", "", "PEM file of the certificates to trust for https")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "shardlog reset: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	n, err := reset(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "shardlog reset:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s deleted\n", cfg.endpoint, plural(n, "stream"))
	return 0
}

// reset asks the server at cfg.endpoint to delete every stream, and returns how many it did.
func reset(cfg resetConfig) (int, error) {
	u, err := url.Parse(cfg.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, fmt.Errorf("--endpoint %q: want http://host:port or https://host:port", cfg.endpoint)
	}
	u.Path, u.RawQuery = server.ResetPath, ""
	client, err := pingClient(cfg.caBundle)
	if err != nil {
		return 0, err
	}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, unreachable(cfg.endpoint, cfg.timeout, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, fmt.Errorf("POST %s: %w", u, err)
	}
	var ans struct {
		Deleted *int   `json:"deletedStreams"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &ans) != nil || (resp.StatusCode == http.StatusOK && ans.Deleted == nil) {
		return 0, fmt.Errorf("POST %s answered %s without a reset report: not a shardlog server, or one older than reset (%s)",
			u, resp.Status, strings.TrimSpace(string(body[:min(len(body), 200)])))
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("POST %s answered %s: %s", u, resp.Status, ans.Message)
	}
	return *ans.Deleted, nil
}
