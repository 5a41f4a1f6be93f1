package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/shardlog/shardlog/internal/atomicfile"
)

// The certificate serve --tls generates when it is given none: self-signed, ECDSA P-256,
// for the loopback names, kept in the data directory so that a client told to trust it once
// (aws --ca-bundle, a Java trust store for the KPL) keeps trusting it across restarts.
const (
	certDirName  = "tls"      // in the data directory
	certFileName = "cert.pem" // the certificate, for clients to trust
	keyFileName  = "key.pem"  // its private key, mode 0600

	certValidity = 398 * 24 * time.Hour // the longest a browser accepts for a server certificate
	certRenewal  = 30 * 24 * time.Hour  // a certificate this close to its end is replaced
)

// defaultCertHosts are the names every generated certificate covers.
var defaultCertHosts = []string{"localhost", "127.0.0.1", "::1"}

// errKeyExposed is the error for a generated key that others than its owner may read.
var errKeyExposed = errors.New("the private key may be read by other users")

// generatedCert is the certificate of the data directory: its paths, and whether it was
// just made.
type generatedCert struct {
	cert      tls.Certificate
	certPath  string
	keyPath   string
	generated bool
	reason    string // why it was generated: missing, expiring, a name it lacked, unreadable
	notAfter  time.Time
}

// loadOrGenerateCert returns the certificate kept in dataDir for hosts (beyond the
// loopback names), generating it when it is missing, expires within certRenewal, lacks one
// of hosts, or cannot be read back. A key file that group or others may read is refused,
// not replaced: shardlog wrote it 0600, so someone changed it, and anyone who read the key
// can pose as this server to every client that trusts the certificate.
func loadOrGenerateCert(dataDir string, hosts []string, now time.Time) (generatedCert, error) {
	dir := filepath.Join(dataDir, certDirName)
	g := generatedCert{certPath: filepath.Join(dir, certFileName), keyPath: filepath.Join(dir, keyFileName)}
	hosts = certHosts(hosts)
	reason, err := g.load(hosts, now)
	if err != nil {
		return g, err
	}
	if reason == "" {
		return g, nil
	}
	if err := g.generate(dir, hosts, now); err != nil {
		return g, fmt.Errorf("generate a TLS certificate in %s: %w", dir, err)
	}
	g.generated, g.reason = true, reason
	return g, nil
}

// certHosts returns the loopback names followed by the extra hosts, without repeats.
func certHosts(extra []string) []string {
	hosts := slices.Clone(defaultCertHosts)
	for _, h := range extra {
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// load reads the pair from disk. It returns why a new pair is needed ("" when the one on
// disk serves), or an error when the key must not be used.
func (g *generatedCert) load(hosts []string, now time.Time) (reason string, err error) {
	fi, err := os.Stat(g.keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		return "none yet", nil
	}
	if err != nil {
		return "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s: %w (mode %04o): chmod 600 it, or delete it and %s to generate a new pair",
			g.keyPath, errKeyExposed, fi.Mode().Perm(), g.certPath)
	}
	cert, err := tls.LoadX509KeyPair(g.certPath, g.keyPath)
	if err != nil {
		return fmt.Sprintf("the pair on disk cannot be used (%v)", err), nil
	}
	leaf := cert.Leaf
	if now.Add(certRenewal).After(leaf.NotAfter) {
		return fmt.Sprintf("the one on disk expires on %s", leaf.NotAfter.Format(time.DateOnly)), nil
	}
	for _, h := range hosts {
		if leaf.VerifyHostname(h) != nil {
			return fmt.Sprintf("the one on disk does not name %s", h), nil
		}
	}
	g.cert, g.notAfter = cert, leaf.NotAfter
	return "", nil
}

// generate makes a new self-signed pair for hosts and writes it: the key first, so that a
// crash between the two leaves a pair that does not match, which the next start replaces.
func (g *generatedCert) generate(dir string, hosts []string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, certTemplate(hosts, now), certTemplate(hosts, now), &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := makeCertDir(dir); err != nil {
		return err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := atomicfile.WriteFile(g.keyPath, keyPEM, 0o600); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(g.certPath, certPEM, 0o644); err != nil {
		return err
	}
	g.cert, err = tls.X509KeyPair(certPEM, keyPEM)
	g.notAfter = g.cert.Leaf.NotAfter
	return err
}

// certTemplate is the self-signed certificate for hosts: a CA certificate for itself alone
// (path length 0), so that OpenSSL (the AWS CLI), Java (the KPL) and Go all accept it as
// the root they are given, valid from an hour ago to allow for clock skew.
func certTemplate(hosts []string, now time.Time) *x509.Certificate {
	serial := new(big.Int).Lsh(big.NewInt(1), 127)
	serial, _ = rand.Int(rand.Reader, serial) // crypto/rand never fails
	c := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"shardlog"}, CommonName: "shardlog self-signed " + hosts[0]},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			c.IPAddresses = append(c.IPAddresses, ip)
		} else {
			c.DNSNames = append(c.DNSNames, h)
		}
	}
	return c
}

// makeCertDir creates the certificate directory, readable by its owner only, durably.
func makeCertDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(dir))
}
