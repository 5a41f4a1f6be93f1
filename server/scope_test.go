package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

// scopeBackend answers ListStreams with nothing and remembers the Scope it was called in.
type scopeBackend struct {
	server.UnimplementedBackend
	got server.Scope
}

func (b *scopeBackend) ListStreams(ctx context.Context, _ *server.ListStreamsInput) (*server.ListStreamsOutput, error) {
	b.got = server.ScopeFrom(ctx)
	return &server.ListStreamsOutput{}, nil
}

func TestScopeFrom_CredentialScope(t *testing.T) {
	tests := []struct {
		name       string
		credential string
		want       server.Scope
	}{
		{"12-digit key is the account", "111122223333/20260101/eu-west-1/kinesis/aws4_request",
			server.Scope{Account: "111122223333", Region: "eu-west-1"}},
		{"other key: default account", "AKIDEXAMPLE/20260101/us-west-2/kinesis/aws4_request",
			server.Scope{Region: "us-west-2"}},
		{"11 digits is not an account", "11112222333/20260101/us-east-1/kinesis/aws4_request",
			server.Scope{Region: "us-east-1"}},
		{"13 digits is not an account", "1111222233334/20260101/us-east-1/kinesis/aws4_request",
			server.Scope{Region: "us-east-1"}},
		{"digits with a letter", "11112222333a/20260101/us-east-1/kinesis/aws4_request",
			server.Scope{Region: "us-east-1"}},
		{"gov region", "111122223333/20260101/us-gov-west-1/kinesis/aws4_request",
			server.Scope{Account: "111122223333", Region: "us-gov-west-1"}},
		{"no region in a short credential", "111122223333", server.Scope{Account: "111122223333"}},
		{"empty region", "AKID/20260101//kinesis/aws4_request", server.Scope{}},
		{"upper-case region: default", "AKID/20260101/US-EAST-1/kinesis/aws4_request", server.Scope{}},
		{"path in region: default", "AKID/20260101/..%2Fetc/kinesis/aws4_request", server.Scope{}},
		{"dot in region: default", "AKID/20260101/../kinesis/aws4_request", server.Scope{}},
		{"trailing hyphen: default", "AKID/20260101/us-east-/kinesis/aws4_request", server.Scope{}},
		{"leading digit: default", "AKID/20260101/1us/kinesis/aws4_request", server.Scope{}},
		{"too long: default", "AKID/20260101/" + strings.Repeat("a", 33) + "/kinesis/aws4_request", server.Scope{}},
		{"32 characters", "AKID/20260101/" + strings.Repeat("a", 32) + "/kinesis/aws4_request",
			server.Scope{Region: strings.Repeat("a", 32)}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/header", func(t *testing.T) {
			b := &scopeBackend{}
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
			r.Header.Set("Content-Type", "application/x-amz-json-1.1")
			r.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+tt.credential+", SignedHeaders=host, Signature=abc")
			r.Header.Set("X-Amz-Date", "20260101T000000Z")
			w := httptest.NewRecorder()
			server.New(b, server.Options{Logger: quietLogger()}).ServeHTTP(w, r)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			require.Equal(t, tt.want, b.got, "ScopeFrom for Credential=%s", tt.credential)
		})
		t.Run(tt.name+"/presigned", func(t *testing.T) {
			b := &scopeBackend{}
			q := url.Values{"X-Amz-Algorithm": {"AWS4-HMAC-SHA256"}, "X-Amz-Credential": {tt.credential},
				"X-Amz-Signature": {"abc"}, "X-Amz-SignedHeaders": {"host"}, "X-Amz-Date": {"20260101T000000Z"}}
			r := httptest.NewRequest(http.MethodPost, "/?"+q.Encode(), strings.NewReader("{}"))
			r.Header.Set("Content-Type", "application/x-amz-json-1.1")
			r.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
			w := httptest.NewRecorder()
			server.New(b, server.Options{Logger: quietLogger()}).ServeHTTP(w, r)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			require.Equal(t, tt.want, b.got, "ScopeFrom for X-Amz-Credential=%s", tt.credential)
		})
	}
}

func TestScopeFrom_NoRequest(t *testing.T) {
	require.Equal(t, server.Scope{}, server.ScopeFrom(context.Background()))
}
