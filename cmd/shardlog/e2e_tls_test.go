package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

var httpsListenRE = regexp.MustCompile(`msg=listening addr=(127\.0\.0\.1:\d+) scheme=https`)

// startTLSServer starts `shardlog serve` with plain HTTP on --listen and HTTPS on
// --tls-listen, and returns the server and its HTTPS endpoint.
func startTLSServer(t *testing.T, dataDir string, args ...string) (*serverProc, string) {
	t.Helper()
	srv := startServer(t, dataDir, append([]string{"--tls-listen", "127.0.0.1:0"}, args...)...)
	// The HTTPS listener's line follows the plain one's, which startServer waited for.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := httpsListenRE.FindStringSubmatch(srv.Log()); m != nil {
			return srv, "https://" + m[1]
		}
	}
	t.Fatalf("no HTTPS listening line in the log within 20 s:\n%s", srv.Log())
	return nil, ""
}

// trusting returns an http.Client that trusts only the PEM certificates of file, offering
// HTTP/2 by ALPN.
func trusting(t *testing.T, file string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(file)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pem), "no certificate in %s", file)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// TestServe_TLS_GeneratedCertificate: with no certificate given, serve generates one into
// the data directory, says where in the log, and serves HTTPS with it beside plain HTTP:
// the Go SDK trusting that certificate alone works over HTTP/2, /health answers over both,
// and a restart reuses the same certificate, so clients that trust it keep working.
func TestServe_TLS_GeneratedCertificate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	srv, endpoint := startTLSServer(t, dir)
	certPath := filepath.Join(dir, "tls", "cert.pem")
	keyPath := filepath.Join(dir, "tls", "key.pem")
	require.Contains(t, srv.Log(), "--ca-bundle "+certPath, "the log says where the certificate is")
	fi, err := os.Stat(keyPath)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "mode of %s", keyPath)
	first, err := os.ReadFile(certPath)
	require.NoError(t, err)

	hc := trusting(t, certPath)
	c := kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSHARDLOGTEST", "secret", ""),
		HTTPClient:   testutil.SDKHTTPClient(hc),
	})
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("tls"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	waitActive(t, c, "tls")
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("tls"), PartitionKey: aws.String("k"), Data: []byte("over TLS")})
	require.NoError(t, err)

	resp, err := hc.Get(endpoint + "/health")
	require.NoError(t, err)
	var rep map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
	resp.Body.Close()
	require.Equal(t, 2, resp.ProtoMajor, "GET /health over TLS answered with %s", resp.Proto)
	require.Equal(t, "ok", rep["status"])
	require.EqualValues(t, 1, rep["streams"])

	// The plain listener beside it serves the same store.
	plain := newClient(srv.Endpoint)
	got, err := plain.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("tls")})
	require.NoError(t, err)
	require.Equal(t, "tls", aws.ToString(got.StreamDescriptionSummary.StreamName))

	srv.Stop(t)
	check, err := exec.Command(binPath, "inspect", "check", dir).CombinedOutput()
	require.NoError(t, err, "inspect check: %s", check)
	require.Contains(t, string(check), " 0 notes; ok", "inspect check of a data directory with a certificate")
	srv, endpoint = startTLSServer(t, dir)
	require.NotContains(t, srv.Log(), "left alone in the data directory", "the tls directory is shardlog's own")
	again, err := os.ReadFile(certPath)
	require.NoError(t, err)
	require.Equal(t, string(first), string(again), "the certificate after a restart")
	require.NotContains(t, srv.Log(), "generated=", "a restart generated a new certificate:\n%s", srv.Log())
	c = kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSHARDLOGTEST", "secret", ""),
		HTTPClient:   testutil.SDKHTTPClient(trusting(t, certPath)),
	})
	rec := readOne(t, c, "tls")
	require.Equal(t, aws.ToString(put.SequenceNumber), aws.ToString(rec.SequenceNumber))
	require.Equal(t, "over TLS", string(rec.Data))
}

// readOne reads the first record of the one-shard stream name.
func readOne(t *testing.T, c *kinesis.Client, name string) recordOut {
	t.Helper()
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: "TRIM_HORIZON"})
	require.NoError(t, err)
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	require.NoError(t, err)
	require.NotEmpty(t, out.Records)
	return recordOut{SequenceNumber: out.Records[0].SequenceNumber, Data: out.Records[0].Data}
}

type recordOut struct {
	SequenceNumber *string
	Data           []byte
}

// TestServe_TLS_RefusesExposedKey: a generated key that others may read is refused with a
// message that says what to do, not used and not replaced.
func TestServe_TLS_RefusesExposedKey(t *testing.T) {
	dir := t.TempDir()
	srv, _ := startTLSServer(t, dir)
	srv.Stop(t)
	keyPath := filepath.Join(dir, "tls", "key.pem")
	key, err := os.ReadFile(keyPath)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(keyPath, 0o644))

	code, out := runRefusedServe(t, "--data", dir, "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0")
	require.Equal(t, 1, code, "exit code of serve with a key readable by others:\n%s", out)
	require.Contains(t, out, keyPath)
	require.Contains(t, out, "chmod 600")
	after, err := os.ReadFile(keyPath)
	require.NoError(t, err)
	require.Equal(t, string(key), string(after), "the key was replaced")
}

// TestServe_TLS_GivenCertificate serves the pair of --tls-cert and --tls-key on --listen
// with --tls, and writes nothing into the data directory's tls directory.
func TestServe_TLS_GivenCertificate(t *testing.T) {
	pairDir := t.TempDir()
	g, err := loadOrGenerateCert(pairDir, []string{"kinesis.test"}, time.Now())
	require.NoError(t, err)
	require.NoError(t, os.Chmod(g.keyPath, 0o644)) // a key the user manages is theirs to protect

	dir := t.TempDir()
	srv := startServer(t, dir, "--tls", "--tls-cert", g.certPath, "--tls-key", g.keyPath)
	require.Contains(t, srv.Log(), "scheme=https")
	endpoint := strings.Replace(srv.Endpoint, "http://", "https://", 1)
	resp, err := trusting(t, g.certPath).Get(endpoint + "/health")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	_, err = os.Stat(filepath.Join(dir, "tls"))
	require.True(t, os.IsNotExist(err), "serve with --tls-cert made %s/tls (%v)", dir, err)
}

// TestCLI_TLS drives the AWS CLI v2 over HTTPS, trusting the generated certificate with
// --ca-bundle; without it the CLI refuses the certificate.
func TestCLI_TLS(t *testing.T) {
	skipShort(t)
	t.Parallel()
	dir := t.TempDir()
	_, endpoint := startTLSServer(t, dir)
	cli := newCLI(t, endpoint)
	bundle := filepath.Join(dir, "tls", "cert.pem")
	cli.run(nil, "create-stream", "--stream-name", "cli-tls", "--shard-count", "1", "--ca-bundle", bundle)
	var list struct{ StreamNames []string }
	cli.run(&list, "list-streams", "--ca-bundle", bundle)
	require.Equal(t, []string{"cli-tls"}, list.StreamNames)
	msg := cli.fail("list-streams")
	require.Contains(t, strings.ToLower(msg), "certificate", "the CLI without --ca-bundle: %s", msg)
}
