package server_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

const (
	accessDeniedXML = "<AccessDeniedException>\n" +
		"  <Message>Unable to determine service/operation name to be authorized</Message>\n" +
		"</AccessDeniedException>\n"
	goodAuth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=abc"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// cborError is the CBOR body {"__type": typ}.
func cborError(typ string) string {
	return "\xa1" + cborText("__type") + cborText(typ)
}

// cborText encodes a short CBOR text string.
func cborText(s string) string {
	if len(s) < 24 {
		return string([]byte{0x60 | byte(len(s))}) + s
	}
	return string([]byte{0x78, byte(len(s))}) + s
}

// TestServeHTTP_RequestOrder walks the request-processing order of
// KINESIS-API.md §1.6 with the requests kinesalite's AWS-verified tests send.
func TestServeHTTP_RequestOrder(t *testing.T) {
	type req struct {
		method, path, body string
		headers            map[string]string
	}
	cases := []struct {
		name        string
		req         req
		status      int
		contentType string // "-" for none
		body        string
	}{
		{"GET", req{method: "GET"}, 403, "-", accessDeniedXML},
		{"PUT", req{method: "PUT", body: "{}"}, 403, "-", accessDeniedXML},
		{"POST without anything", req{}, 400, "application/x-amz-cbor-1.1", cborError("UnknownOperationException")},
		{"body and no content type", req{body: "{}"}, 403, "-", accessDeniedXML},
		{"json 1.0 content type", req{body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.0"}},
			403, "-", accessDeniedXML},
		{"target and unknown content type", req{body: "{}", headers: map[string]string{
			"Content-Type": "text/plain", "X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			404, "-", "<UnknownOperationException/>\n"},
		{"no target", req{headers: map[string]string{"Content-Type": "application/x-amz-json-1.1"}},
			400, "application/x-amz-json-1.1", `{"__type":"UnknownOperationException"}`},
		{"no body", req{headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			400, "application/x-amz-json-1.1", `{"__type":"SerializationException"}`},
		{"no body, cbor", req{headers: map[string]string{"Content-Type": "application/x-amz-cbor-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			400, "application/x-amz-cbor-1.1", cborError("SerializationException")},
		{"non-JSON body", req{body: "hello", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			400, "application/x-amz-json-1.1", `{"__type":"SerializationException"}`},
		{"array body", req{body: "[]", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			400, "application/x-amz-json-1.1", `{"__type":"SerializationException"}`},
		{"trailing garbage", req{body: "{} x", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.PutRecords"}},
			400, "application/x-amz-json-1.1", `{"__type":"SerializationException"}`},
		{"legacy json, bad body", req{body: "hello", headers: map[string]string{"Content-Type": "application/json", "X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			400, "application/json", `{"Output":{"__type":"com.amazon.coral.service#SerializationException"},"Version":"1.0"}`},
		{"legacy json", req{body: "{}", headers: map[string]string{"Content-Type": "application/json", "X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			404, "application/json", `{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"}`},
		{"unknown operation", req{body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStream"}},
			400, "application/x-amz-json-1.1", `{"__type":"UnknownOperationException"}`},
		{"operation not served", req{body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.SubscribeToShard"}},
			400, "application/x-amz-json-1.1", `{"__type":"UnknownOperationException","message":"SubscribeToShard is not supported by shardlog"}`},
		{"other service", req{body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "DynamoDB_20120810.ListStreams"}},
			400, "application/x-amz-json-1.1", `{"__type":"UnknownOperationException"}`},
		{"no auth", req{body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			400, "application/x-amz-json-1.1", `{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`},
		{"incomplete auth", req{body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1",
			"X-Amz-Target": "Kinesis_20131202.ListStreams", "Authorization": "X"}},
			400, "application/x-amz-json-1.1", `{"__type":"IncompleteSignatureException","message":"` +
				`Authorization header requires 'Credential' parameter. ` +
				`Authorization header requires 'Signature' parameter. ` +
				`Authorization header requires 'SignedHeaders' parameter. ` +
				`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ` +
				`Authorization=X"}`},
		{"auth header missing signed headers", req{body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1",
			"X-Amz-Target": "Kinesis_20131202.ListStreams", "Authorization": "AWS4- Signature=b, Credential=a", "Date": "a"}},
			400, "application/x-amz-json-1.1", `{"__type":"IncompleteSignatureException","message":"` +
				`Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a"}`},
		{"header and query auth", req{path: "/?X-Amz-Algorithm", body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1",
			"X-Amz-Target": "Kinesis_20131202.ListStreams", "Authorization": "X"}},
			400, "application/x-amz-json-1.1", `{"__type":"InvalidSignatureException","message":` +
				`"Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."}`},
		{"empty query auth", req{path: "/?X-Amz-Algorithm", body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1",
			"X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			400, "application/x-amz-json-1.1", `{"__type":"IncompleteSignatureException","message":"` +
				`AWS query-string parameters must include 'X-Amz-Algorithm'. ` +
				`AWS query-string parameters must include 'X-Amz-Credential'. ` +
				`AWS query-string parameters must include 'X-Amz-Signature'. ` +
				`AWS query-string parameters must include 'X-Amz-SignedHeaders'. ` +
				`AWS query-string parameters must include 'X-Amz-Date'. ` +
				`Re-examine the query-string parameters."}`},
		{"query auth without algorithm", req{path: "/?X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d",
			body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			400, "application/x-amz-json-1.1", `{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`},
		{"query auth", req{path: "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb%2Fus-west-2%2Fkinesis&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d",
			body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			200, "application/x-amz-json-1.1", `{"StreamNames":[],"HasMoreStreams":false}`},
		{"content type parameters", req{body: "{}", headers: map[string]string{"Content-Type": " application/x-amz-json-1.1 ; charset=utf-8",
			"X-Amz-Target": "Kinesis_20131202.ListStreams", "Authorization": goodAuth, "X-Amz-Date": "20260101T000000Z"}},
			200, "application/x-amz-json-1.1", `{"StreamNames":[],"HasMoreStreams":false}`},
		{"path is ignored", req{path: "/some/base/path", body: "{}", headers: map[string]string{"Content-Type": "application/x-amz-json-1.1",
			"X-Amz-Target": "Kinesis_20131202.ListStreams", "Authorization": goodAuth, "X-Amz-Date": "20260101T000000Z"}},
			200, "application/x-amz-json-1.1", `{"StreamNames":[],"HasMoreStreams":false}`},
		{"auth is checked before types", req{body: `{"Limit":"x"}`, headers: map[string]string{"Content-Type": "application/x-amz-json-1.1",
			"X-Amz-Target": "Kinesis_20131202.ListStreams"}},
			400, "application/x-amz-json-1.1", `{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := mustNew(t, server.Options{})
			method, path := tc.req.method, tc.req.path
			if method == "" {
				method = http.MethodPost
			}
			if path == "" {
				path = "/"
			}
			r := httptest.NewRequest(method, path, strings.NewReader(tc.req.body))
			for k, v := range tc.req.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			require.Equal(t, tc.status, w.Code, "body %q", w.Body)
			require.Equal(t, tc.body, w.Body.String())
			if tc.contentType == "-" {
				require.Empty(t, w.Header().Get("Content-Type"))
			} else {
				require.Equal(t, tc.contentType, w.Header().Get("Content-Type"))
			}
			require.Equal(t, len(tc.body), mustAtoi(t, w.Header().Get("Content-Length")))
			require.Regexp(t, uuidRE, header(w.Header(), "x-amzn-RequestId"))
			id2, err := base64.StdEncoding.DecodeString(header(w.Header(), "x-amz-id-2"))
			require.NoError(t, err)
			require.Len(t, id2, 72)
			if tc.status != http.StatusOK {
				require.NotEmpty(t, header(w.Header(), "x-amzn-ErrorType"))
			}
		})
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		require.True(t, c >= '0' && c <= '9', "not a number: %q", s)
		n = n*10 + int(c-'0')
	}
	return n
}

// TestServeHTTP_TooLarge checks the body cap, with and without a Content-Length.
func TestServeHTTP_TooLarge(t *testing.T) {
	s, b := mustNew(t, server.Options{MaxRequestBytes: 1000})
	body := `{"StreamName":"a","Records":[{"Data":"` + strings.Repeat("A", 1000) + `","PartitionKey":"k"}]}`
	want := `{"__type":"RequestEntityTooLargeException","message":"Request body exceeds the limit of 1000 bytes."}`

	w := do(t, s, "PutRecords", body)
	require.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	require.Equal(t, want, w.Body.String())

	r := signed(httptest.NewRequest(http.MethodPost, "/", io.MultiReader(strings.NewReader(body))), "PutRecords")
	r.ContentLength = -1 // chunked
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	require.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	require.Equal(t, want, w.Body.String())
	require.Equal(t, 0, b.callCount())

	r = signed(httptest.NewRequest(http.MethodPost, "/", io.MultiReader(strings.NewReader(`{"StreamName":"a"}`))), "DescribeStream")
	r.ContentLength = -1
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code, "a small chunked body is read whole")
}

// TestServeHTTP_RequestInfo checks what the Backend learns about the request.
func TestServeHTTP_RequestInfo(t *testing.T) {
	s, b := mustNew(t, server.Options{})
	var got server.RequestInfo
	b.hook = func(string, any) {}
	s2 := server.New(infoBackend{fakeBackend: b, info: &got}, server.Options{Logger: quietLogger()})
	_ = s
	w := do(t, s2, "ListStreams", `{}`)
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "ListStreams", got.Operation)
	require.Equal(t, "us-east-1", got.Region)
	require.Equal(t, "AKIDEXAMPLE", got.AccessKeyID)
	require.Equal(t, header(w.Header(), "x-amzn-RequestId"), got.RequestID)
}

type infoBackend struct {
	*fakeBackend
	info *server.RequestInfo
}

func (b infoBackend) ListStreams(ctx context.Context, in *server.ListStreamsInput) (*server.ListStreamsOutput, error) {
	*b.info, _ = server.RequestInfoFrom(ctx)
	return b.fakeBackend.ListStreams(ctx, in)
}

// TestServeHTTP_CBOR sends a CBOR request, as the Java SDKs do, and reads the
// CBOR answer: blobs as byte strings, timestamps as tag 1 with milliseconds.
func TestServeHTTP_CBOR(t *testing.T) {
	s, b := mustNew(t, server.Options{})
	// {"StreamName": "a", "Records": [{"Data": h'0102', "PartitionKey": "k"}]}
	body := mustHex(t, "a2"+"6a"+hex.EncodeToString([]byte("StreamName"))+"6161"+
		"67"+hex.EncodeToString([]byte("Records"))+"81"+
		"a2"+"64"+hex.EncodeToString([]byte("Data"))+"420102"+
		"6c"+hex.EncodeToString([]byte("PartitionKey"))+"616b")
	r := signed(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body))), "PutRecords")
	r.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code, "body %x", w.Body)
	require.Equal(t, "application/x-amz-cbor-1.1", w.Header().Get("Content-Type"))
	_, in := b.lastCall()
	require.Equal(t, &server.PutRecordsInput{StreamName: "a", Records: []server.PutRecordsRequestEntry{
		{Data: []byte{1, 2}, PartitionKey: "k"}}}, in)
	require.Equal(t, byte(0xa2), w.Body.Bytes()[0], "a map of FailedRecordCount and Records")

	// GetShardIterator with Timestamp as tag 1 + epoch ms: c1 1b 000001a013accc38.
	body = mustHex(t, "a4"+"6a"+hex.EncodeToString([]byte("StreamName"))+"6161"+
		"67"+hex.EncodeToString([]byte("ShardId"))+"6173"+
		"71"+hex.EncodeToString([]byte("ShardIteratorType"))+"6c"+hex.EncodeToString([]byte("AT_TIMESTAMP"))+
		"69"+hex.EncodeToString([]byte("Timestamp"))+"c11b000001a013accc38")
	r = signed(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body))), "GetShardIterator")
	r.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code, "body %x", w.Body)
	_, in = b.lastCall()
	require.Equal(t, int64(1787036486712), in.(*server.GetShardIteratorInput).Timestamp.UnixMilli())

	// Errors are CBOR too.
	r = signed(httptest.NewRequest(http.MethodPost, "/", strings.NewReader("\xa0")), "DescribeStream")
	r.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	require.Equal(t, http.StatusBadRequest, w.Code)
	want := "\xa2" + cborText("__type") + cborText("ValidationException") + cborText("message") +
		cborText("1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null")
	require.Equal(t, want, w.Body.String())
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}
