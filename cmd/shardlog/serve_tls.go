package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"time"
)

// tlsFlags are the serve flags of HTTPS: which listeners serve it and with what
// certificate.
type tlsFlags struct {
	on       bool     // --tls: the --listen address serves HTTPS instead of plain HTTP
	listen   string   // --tls-listen: an HTTPS address beside --listen
	certFile string   // --tls-cert
	keyFile  string   // --tls-key
	hosts    listFlag // --tls-host: more names for the generated certificate
}

func (f *tlsFlags) flags(fs *flag.FlagSet) {
	fs.BoolVar(&f.on, "tls", false, "serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN) on --listen instead of plain HTTP")
	fs.StringVar(&f.listen, "tls-listen", "", "also serve HTTPS on this address, beside plain HTTP on --listen (e.g. 127.0.0.1:4568)")
	fs.StringVar(&f.certFile, "tls-cert", "", "PEM certificate (chain) for HTTPS (default: a self-signed one generated into <data>/tls)")
	fs.StringVar(&f.keyFile, "tls-key", "", "PEM private key of --tls-cert")
	fs.Var(&f.hosts, "tls-host", "host name or IP the generated certificate covers besides localhost, 127.0.0.1 and ::1 (repeatable or comma-separated)")
}

// enabled reports whether any listener serves HTTPS.
func (f tlsFlags) enabled() bool { return f.on || f.listen != "" }

// check refuses combinations that would be silently ignored.
func (f tlsFlags) check() error {
	switch {
	case (f.certFile == "") != (f.keyFile == ""):
		return errors.New("--tls-cert and --tls-key go together")
	case !f.enabled() && (f.certFile != "" || len(f.hosts) > 0):
		return errors.New("--tls-cert, --tls-key and --tls-host need --tls or --tls-listen")
	case f.certFile != "" && len(f.hosts) > 0:
		return errors.New("--tls-host names hosts of the generated certificate; --tls-cert brings its own")
	}
	return nil
}

// config returns the TLS configuration of the HTTPS listeners, with the certificate of
// --tls-cert or the one of the data directory, and logs where the certificate is.
func (f tlsFlags) config(dataDir string, log *slog.Logger) (*tls.Config, error) {
	if f.certFile != "" {
		cert, err := tls.LoadX509KeyPair(f.certFile, f.keyFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert %s, --tls-key %s: %w", f.certFile, f.keyFile, err)
		}
		log.Info("TLS certificate", "cert", f.certFile, "expires", cert.Leaf.NotAfter.Format(time.RFC3339))
		return newTLSConfig(cert), nil
	}
	g, err := loadOrGenerateCert(dataDir, f.hosts, time.Now())
	if err != nil {
		return nil, err
	}
	msg := "TLS certificate (self-signed): clients trust it with e.g. aws --ca-bundle " + g.certPath
	if g.generated {
		log.Info(msg, "cert", g.certPath, "key", g.keyPath, "generated", g.reason,
			"hosts", certHosts(f.hosts), "expires", g.notAfter.Format(time.RFC3339))
	} else {
		log.Info(msg, "cert", g.certPath, "expires", g.notAfter.Format(time.RFC3339))
	}
	return newTLSConfig(g.cert), nil
}

func newTLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

// serveListener is one address serve answers on.
type serveListener struct {
	ln  net.Listener
	tls bool
}

func (l serveListener) scheme() string {
	if l.tls {
		return "https"
	}
	return "http"
}

// bindListeners binds --listen (HTTPS with --tls) and --tls-listen. On failure none is left
// open.
func bindListeners(cfg serveConfig) ([]serveListener, error) {
	type want struct {
		addr string
		tls  bool
	}
	var wants []want
	if cfg.listen != "" {
		wants = append(wants, want{cfg.listen, cfg.tls.on})
	}
	if cfg.tls.listen != "" {
		wants = append(wants, want{cfg.tls.listen, true})
	}
	if len(wants) == 0 {
		return nil, errors.New("nothing to listen on: --listen and --tls-listen are both empty")
	}
	var out []serveListener
	for _, w := range wants {
		ln, err := net.Listen("tcp", w.addr)
		if err != nil {
			closeListeners(out)
			return nil, err
		}
		out = append(out, serveListener{ln: ln, tls: w.tls})
	}
	return out, nil
}

func closeListeners(ls []serveListener) {
	for _, l := range ls {
		l.ln.Close()
	}
}
