package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLoadOrGenerateCert: the first start generates a pair, later ones reuse it, and it is
// replaced when it nears its end, lacks a requested host, or no longer matches its key.
func TestLoadOrGenerateCert(t *testing.T) {
	now := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	g, err := loadOrGenerateCert(dir, nil, now)
	require.NoError(t, err)
	require.True(t, g.generated)
	leaf := g.cert.Leaf
	require.Equal(t, []string{"localhost"}, leaf.DNSNames)
	require.Len(t, leaf.IPAddresses, 2)
	require.Equal(t, "127.0.0.1", leaf.IPAddresses[0].String())
	require.Equal(t, "::1", leaf.IPAddresses[1].String())
	key, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	require.True(t, ok, "public key %T", leaf.PublicKey)
	require.Equal(t, elliptic.P256(), key.Curve)
	require.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, leaf.ExtKeyUsage)
	require.Equal(t, now.Add(certValidity), leaf.NotAfter)
	for _, name := range []string{"cert.pem", "key.pem"} {
		_, err := os.Stat(filepath.Join(dir, "tls", name+".tmp"))
		require.True(t, os.IsNotExist(err), "%s.tmp left behind", name)
	}
	serial := leaf.SerialNumber

	cases := []struct {
		name      string
		at        time.Time
		hosts     []string
		damage    func(t *testing.T)
		generated bool
	}{
		{"a restart a day later", now.Add(24 * time.Hour), nil, nil, false},
		{"the loopback names asked again", now.Add(24 * time.Hour), []string{"localhost", "::1"}, nil, false},
		{"a month before its end", now.Add(certValidity - certRenewal + time.Minute), nil, nil, true},
		{"a host it lacks", now, []string{"kinesis.internal"}, nil, true},
		{"a key that does not match", now, nil, func(t *testing.T) {
			other := t.TempDir()
			o, err := loadOrGenerateCert(other, nil, now)
			require.NoError(t, err)
			b, err := os.ReadFile(o.keyPath)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "tls", "key.pem"), b, 0o600))
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.damage != nil {
				tc.damage(t)
			}
			g, err := loadOrGenerateCert(dir, tc.hosts, tc.at)
			require.NoError(t, err)
			require.Equal(t, tc.generated, g.generated, "generated (reason %q)", g.reason)
			require.Equal(t, tc.generated, g.cert.Leaf.SerialNumber.Cmp(serial) != 0, "a new serial number")
			for _, h := range tc.hosts {
				require.NoError(t, g.cert.Leaf.VerifyHostname(h))
			}
			serial = g.cert.Leaf.SerialNumber
		})
	}
}

// TestLoadOrGenerateCert_ExposedKey: a generated key readable by group or others is
// refused, and left as it is.
func TestLoadOrGenerateCert_ExposedKey(t *testing.T) {
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		dir := t.TempDir()
		g, err := loadOrGenerateCert(dir, nil, time.Now())
		require.NoError(t, err)
		require.NoError(t, os.Chmod(g.keyPath, mode))
		_, err = loadOrGenerateCert(dir, nil, time.Now())
		require.ErrorIs(t, err, errKeyExposed, "key mode %04o", mode)
		fi, err := os.Stat(g.keyPath)
		require.NoError(t, err)
		require.Equal(t, mode, fi.Mode().Perm())
	}
}

// TestTLSFlags_Check refuses TLS flags that would otherwise be ignored.
func TestTLSFlags_Check(t *testing.T) {
	cases := []struct {
		name  string
		flags tlsFlags
		err   string
	}{
		{"none", tlsFlags{}, ""},
		{"generated", tlsFlags{on: true, hosts: listFlag{"kinesis.internal"}}, ""},
		{"given pair beside plain", tlsFlags{listen: ":4568", certFile: "c.pem", keyFile: "k.pem"}, ""},
		{"cert without key", tlsFlags{on: true, certFile: "c.pem"}, "--tls-cert and --tls-key go together"},
		{"cert without TLS", tlsFlags{certFile: "c.pem", keyFile: "k.pem"}, "--tls-cert, --tls-key and --tls-host need --tls or --tls-listen"},
		{"host without TLS", tlsFlags{hosts: listFlag{"x"}}, "--tls-cert, --tls-key and --tls-host need --tls or --tls-listen"},
		{"host with given cert", tlsFlags{on: true, certFile: "c.pem", keyFile: "k.pem", hosts: listFlag{"x"}},
			"--tls-host names hosts of the generated certificate; --tls-cert brings its own"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.flags.check()
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.err)
		})
	}
}
