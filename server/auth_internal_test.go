package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
)

// The credentials and instant of AWS's SigV4 test suite.
const (
	suiteKeyID  = "AKIDEXAMPLE"
	suiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	suiteDate   = "20150830T123600Z"
)

var suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

// newAuthServer returns a Server that verifies signatures against keys, with
// its clock stopped at now.
func newAuthServer(keys map[string]string, now time.Time) *Server {
	return New(nil, Options{
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Credentials: keys,
		now:         func() time.Time { return now },
	})
}

// TestCanonicalRequest_AWSSuite checks the canonical request and the signature
// against vectors of AWS's published SigV4 test suite (and the IAM ListUsers
// example of AWS's signing documentation), then verifies each signed request.
func TestCanonicalRequest_AWSSuite(t *testing.T) {
	cases := []struct {
		name          string
		method, url   string
		headers       [][2]string
		body          string
		service       string
		signedHeaders string
		canonicalHash string // hex SHA-256 of the canonical request, where the suite publishes it
		signature     string
	}{
		{name: "get-vanilla", method: "GET", url: "https://example.amazonaws.com/",
			signedHeaders: "host;x-amz-date",
			canonicalHash: "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
			signature:     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{name: "get-vanilla-query-order-key-case", method: "GET", url: "https://example.amazonaws.com/?Param2=value2&Param1=value1",
			signedHeaders: "host;x-amz-date",
			signature:     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
		{name: "post-vanilla", method: "POST", url: "https://example.amazonaws.com/",
			signedHeaders: "host;x-amz-date",
			signature:     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
		{name: "post-x-www-form-urlencoded", method: "POST", url: "https://example.amazonaws.com/",
			headers:       [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}},
			body:          "Param1=value1",
			signedHeaders: "content-type;host;x-amz-date",
			canonicalHash: "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
			signature:     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
		{name: "get-header-value-trim", method: "GET", url: "https://example.amazonaws.com/",
			headers:       [][2]string{{"My-Header1", " value1"}, {"My-Header2", ` "a   b   c"`}},
			signedHeaders: "host;my-header1;my-header2;x-amz-date",
			signature:     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
		{name: "iam-list-users", method: "GET", url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
			headers:       [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
			service:       "iam",
			signedHeaders: "content-type;host;x-amz-date",
			signature:     "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			service := tc.service
			if service == "" {
				service = "service"
			}
			scope := "20150830/us-east-1/" + service + "/aws4_request"
			r := httptest.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
			for _, h := range tc.headers {
				r.Header.Add(h[0], h[1])
			}
			r.Header.Set("X-Amz-Date", suiteDate)
			sig := &signature{credential: suiteKeyID + "/" + scope, signedHeaders: tc.signedHeaders, date: suiteDate}

			canonical := canonicalRequest(r, sig, payloadHash([]byte(tc.body)))
			if tc.canonicalHash != "" {
				sum := sha256.Sum256([]byte(canonical))
				require.Equal(t, tc.canonicalHash, hex.EncodeToString(sum[:]), "canonical request:\n%s", canonical)
			}
			require.Equal(t, tc.signature, signatureFor(suiteSecret, scope, suiteDate, canonical), "canonical request:\n%s", canonical)

			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+suiteKeyID+"/"+scope+
				", SignedHeaders="+tc.signedHeaders+", Signature="+tc.signature)
			s := newAuthServer(map[string]string{suiteKeyID: suiteSecret}, suiteTime)
			info, err := s.authenticate(r, []byte(tc.body))
			require.Nil(t, err)
			require.Equal(t, suiteKeyID, info.AccessKeyID)
		})
	}
}

// TestAuthenticate_SDKSigner verifies requests signed by the AWS SDK for Go v2's
// signer, over the shapes a canonical request must get right: paths that need
// encoding, repeated and unsorted query parameters, repeated headers, spaces
// inside values, a session token, an empty body.
func TestAuthenticate_SDKSigner(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name    string
		url     string
		headers [][2]string
		body    string
		token   string
	}{
		{name: "kinesis request", url: "http://127.0.0.1:4567/", body: `{"StreamName":"a"}`,
			headers: [][2]string{{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", "Kinesis_20131202.DescribeStream"}}},
		{name: "empty body", url: "http://127.0.0.1:4567/"},
		{name: "path to encode", url: "http://localhost:4567/a%20b/c~d/%E2%82%AC/x+y", body: "x"},
		{name: "query", url: "http://localhost:4567/?b=2&a=3&a=1&c=%2F%20+&empty=&flag", body: "x"},
		{name: "repeated header and spaces", url: "http://localhost:4567/", body: "x",
			headers: [][2]string{{"X-Amz-Meta", "one  two"}, {"X-Amz-Meta", " three "}, {"X-Other", "a   b"}}},
		{name: "session token", url: "http://localhost:4567/", body: "x", token: "FQoGZXIvYXdzEXAMPLE//token=="},
	}
	creds := func(token string) aws.Credentials {
		return aws.Credentials{AccessKeyID: "AKIDSDK", SecretAccessKey: "sdk/secret+key", SessionToken: token}
	}
	s := newAuthServer(map[string]string{"AKIDSDK": "sdk/secret+key"}, at.Add(time.Minute))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, tc.url, strings.NewReader(tc.body))
			require.NoError(t, err)
			for _, h := range tc.headers {
				req.Header.Add(h[0], h[1])
			}
			require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds(tc.token), req,
				payloadHash([]byte(tc.body)), "kinesis", "eu-west-1", at))
			r := asServerRequest(t, req, tc.body)
			info, e := s.authenticate(r, []byte(tc.body))
			require.Nil(t, e, "Authorization: %s", req.Header.Get("Authorization"))
			require.Equal(t, "eu-west-1", info.Region)

			other := tc.body + " "
			_, e = s.authenticate(asServerRequest(t, req, other), []byte(other))
			require.Equal(t, &kinesis.Error{Type: kinesis.TypeInvalidSignature, Message: msgSignatureMismatch}, e, "a changed body")
		})
	}
}

// TestCanonicalRequest_Authority: over HTTP/2 the JavaScript SDK v3 signs
// ":authority" instead of host; its value is the request's host.
func TestCanonicalRequest_Authority(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4567/", strings.NewReader("{}"))
	r.Header.Set("X-Amz-Date", "20260102T030405Z")
	sig := &signature{signedHeaders: ":authority;x-amz-date"}
	require.Equal(t, "POST\n/\n\n:authority:127.0.0.1:4567\nx-amz-date:20260102T030405Z\n\n:authority;x-amz-date\n"+
		"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", canonicalRequest(r, sig, payloadHash([]byte("{}"))))
}

// asServerRequest turns a client request into what net/http hands a handler:
// Host outside Header, the path as sent.
func asServerRequest(t *testing.T, req *http.Request, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(req.Method, req.URL.RequestURI(), strings.NewReader(body))
	r.Host = req.URL.Host
	for k, vs := range req.Header {
		r.Header[k] = append([]string(nil), vs...)
	}
	return r
}

// TestCheckClock pins the skew answers, with the clock at 12:36:00: Kinesis
// takes a signature up to 5 minutes either side.
func TestCheckClock(t *testing.T) {
	s := newAuthServer(map[string]string{suiteKeyID: suiteSecret}, suiteTime.Add(400*time.Millisecond))
	cases := []struct {
		date    string
		expires string // X-Amz-Expires of a presigned request
		want    *kinesis.Error
	}{
		{date: "20150830T123100Z"},
		{date: "20150830T124100Z"},
		{date: "20150830T123059Z", want: &kinesis.Error{Type: kinesis.TypeInvalidSignature,
			Message: "Signature expired: 20150830T123059Z is now earlier than 20150830T123100Z (20150830T123600Z - 5 min.)"}},
		{date: "20150830T124101Z", want: &kinesis.Error{Type: kinesis.TypeInvalidSignature,
			Message: "Signature not yet current: 20150830T124101Z is still later than 20150830T124100Z (20150830T123600Z + 5 min.)"}},
		{date: "20150830T113600Z", expires: "3600"},
		{date: "20150830T113559Z", expires: "3600", want: &kinesis.Error{Type: kinesis.TypeInvalidSignature,
			Message: "Signature expired: 20150830T113559Z is now earlier than 20150830T113600Z (20150830T123600Z - 60 min.)"}},
		{date: "20150830T123500Z", expires: "30", want: &kinesis.Error{Type: kinesis.TypeInvalidSignature,
			Message: "Signature expired: 20150830T123500Z is now earlier than 20150830T123530Z (20150830T123600Z - 30 sec.)"}},
		{date: "20150830T123600Z", expires: "0", want: &kinesis.Error{Type: kinesis.TypeIncompleteSignature,
			Message: "X-Amz-Expires must be a whole number of seconds from 1 to 604800, not '0'."}},
	}
	for _, tc := range cases {
		t.Run(tc.date+"+"+tc.expires, func(t *testing.T) {
			at, err := parseSigningTime(tc.date)
			require.Nil(t, err)
			got := s.checkClock(at, &signature{date: tc.date, expires: tc.expires, presigned: tc.expires != ""})
			require.Equal(t, tc.want, got)
		})
	}
}

// TestCheckScope pins the answers to a malformed credential scope.
func TestCheckScope(t *testing.T) {
	at := suiteTime
	cases := []struct {
		credential string
		wantScope  string
		want       *kinesis.Error
	}{
		{"AKID/20150830/us-east-1/kinesis/aws4_request", "20150830/us-east-1/kinesis/aws4_request", nil},
		{"AKID/20150830/any-region/any-service/aws4_request", "20150830/any-region/any-service/aws4_request", nil},
		{"AKID/20150830/us-east-1/kinesis", "", &kinesis.Error{Type: kinesis.TypeIncompleteSignature, Message: "Credential must have " +
			"exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20150830/us-east-1/kinesis'"}},
		{"AKID/20150829/us-east-1/kinesis/aws5_request", "", &kinesis.Error{Type: kinesis.TypeInvalidSignature, Message: "Credential should be " +
			"scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match " +
			"YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'."}},
	}
	for _, tc := range cases {
		t.Run(tc.credential, func(t *testing.T) {
			keyID, scope, err := checkScope(tc.credential, at)
			require.Equal(t, tc.want, err)
			if tc.want == nil {
				require.Equal(t, "AKID", keyID)
				require.Equal(t, tc.wantScope, scope)
			}
		})
	}
}
