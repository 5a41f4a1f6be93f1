package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/shardlog/shardlog/server"
)

const pingUsage = `Usage: shardlog ping [flags]

Asks a server for its health report (GET /health) and exits 0 when it is ready, 1 with the
reason otherwise: for compose health checks and scripts that wait for the server.

`

// pingConfig is everything `shardlog ping` can be told.
type pingConfig struct {
	endpoint string
	timeout  time.Duration
	caBundle string
	quiet    bool
}

// healthReport is the part of the /health answer that ping prints.
type healthReport struct {
	Status        string  `json:"status"`
	Reason        string  `json:"reason"`
	Version       string  `json:"version"`
	UptimeSeconds float64 `json:"uptimeSeconds"`
	Streams       int     `json:"streams"`
}

func runPing(args []string, stdout, stderr io.Writer) int {
	var cfg pingConfig
	fs := newFlagSet("ping", pingUsage, stderr)
	fs.StringVar(&cfg.endpoint, "endpoint", "http://127.0.0.1:4567", "the server's endpoint URL (http:// or https://)")
	fs.DurationVar(&cfg.timeout, "timeout", 5*time.Second, "how long to wait for the answer")
	fs.StringVar(&cfg.caBundle, "ca-bundle", "", "PEM file of the certificates to trust for https (e.g. the one shardlog serve --tls generated)")
	fs.BoolVar(&cfg.quiet, "quiet", false, "print nothing when the server is ready")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "shardlog ping: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	rep, err := ping(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "shardlog ping:", err)
		return 1
	}
	if !cfg.quiet {
		streams := "streams"
		if rep.Streams == 1 {
			streams = "stream"
		}
		fmt.Fprintf(stdout, "%s is ready: shardlog %s, up %s, %d %s\n", cfg.endpoint, rep.Version,
			(time.Duration(rep.UptimeSeconds) * time.Second).String(), rep.Streams, streams)
	}
	return 0
}

// ping asks the server at cfg.endpoint for its health report; the error says why it is not
// ready, or why there was no report.
func ping(cfg pingConfig) (healthReport, error) {
	u, err := healthURL(cfg.endpoint)
	if err != nil {
		return healthReport{}, err
	}
	client, err := pingClient(cfg.caBundle)
	if err != nil {
		return healthReport{}, err
	}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return healthReport{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return healthReport{}, unreachable(cfg.endpoint, cfg.timeout, err)
	}
	defer resp.Body.Close()
	return readHealth(u, resp)
}

// healthURL returns the health URL of an endpoint.
func healthURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--endpoint %q: want http://host:port or https://host:port", endpoint)
	}
	u.Path, u.RawQuery = server.HealthPath, ""
	return u.String(), nil
}

// pingClient returns the client of a ping, trusting the certificates of caBundle (if given)
// instead of the system's.
func pingClient(caBundle string) (*http.Client, error) {
	t := &http.Transport{ForceAttemptHTTP2: true, Proxy: nil}
	if caBundle != "" {
		pem, err := os.ReadFile(caBundle)
		if err != nil {
			return nil, fmt.Errorf("--ca-bundle: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-bundle %s: no PEM certificate in it", caBundle)
		}
		t.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	return &http.Client{Transport: t}, nil
}

// unreachable explains a failed request.
func unreachable(endpoint string, timeout time.Duration, err error) error {
	var hint string
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		hint = "connection refused: is shardlog serve running there?"
	case errors.Is(err, context.DeadlineExceeded):
		hint = fmt.Sprintf("no answer within %s", timeout)
	default:
		var certErr *tls.CertificateVerificationError
		if errors.As(err, &certErr) {
			hint = "its certificate is not trusted: give it with --ca-bundle"
		}
	}
	if hint == "" {
		return fmt.Errorf("%s cannot be reached: %w", endpoint, err)
	}
	return fmt.Errorf("%s cannot be reached: %s (%w)", endpoint, hint, err)
}

// readHealth reads the answer to GET /health.
func readHealth(u string, resp *http.Response) (healthReport, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return healthReport{}, fmt.Errorf("GET %s: %w", u, err)
	}
	var rep healthReport
	if err := json.Unmarshal(body, &rep); err != nil || rep.Status == "" {
		return healthReport{}, fmt.Errorf("GET %s answered %s without a health report: not a shardlog server, or one older than /health (%s)",
			u, resp.Status, strings.TrimSpace(string(body[:min(len(body), 200)])))
	}
	if resp.StatusCode != http.StatusOK || rep.Status != "ok" {
		return rep, fmt.Errorf("%s is not ready (%s): %s", u, resp.Status, rep.Reason)
	}
	return rep, nil
}
