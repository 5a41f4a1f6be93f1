package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

const (
	authKeyID  = "AKIDSHARDLOGAUTH"
	authSecret = "kWcrlUX5JEDGM/SHARDLOG/bPxRfiCYEXAMPLEKEY"

	msgMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

func authOptions() server.Options {
	return server.Options{Credentials: map[string]string{authKeyID: authSecret}}
}

// sdkClientAs returns an SDK client that signs with the given key, without retries.
func sdkClientAs(endpoint string, hc *http.Client, keyID, secret, token string) *kinesis.Client {
	opts := kinesis.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, token),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	}
	opts.HTTPClient = sdkHTTPClient(hc)
	return kinesis.New(opts)
}

// everyOperation calls each operation the server serves, with valid input.
var everyOperation = []struct {
	name string
	call func(context.Context, *kinesis.Client) error
}{
	{"CreateStream", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("a"), ShardCount: aws.Int32(1)})
		return err
	}},
	{"DeleteStream", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("a")})
		return err
	}},
	{"DescribeStream", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("a")})
		return err
	}},
	{"DescribeStreamSummary", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("a")})
		return err
	}},
	{"ListStreams", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
		return err
	}},
	{"ListShards", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("a")})
		return err
	}},
	{"PutRecord", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("a"), Data: []byte("x"), PartitionKey: aws.String("k")})
		return err
	}},
	{"PutRecords", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("a"), Records: []types.PutRecordsRequestEntry{
			{Data: []byte("one"), PartitionKey: aws.String("k1")},
			{Data: []byte{0, 0xff}, PartitionKey: aws.String("k2")},
		}})
		return err
	}},
	{"GetShardIterator", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("a"),
			ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		return err
	}},
	{"GetRecords", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAA")})
		return err
	}},
	{"IncreaseStreamRetentionPeriod", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{
			StreamName: aws.String("a"), RetentionPeriodHours: aws.Int32(48)})
		return err
	}},
	{"DecreaseStreamRetentionPeriod", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{
			StreamName: aws.String("a"), RetentionPeriodHours: aws.Int32(24)})
		return err
	}},
	{"AddTagsToStream", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("a"), Tags: map[string]string{"k": "v"}})
		return err
	}},
	{"RemoveTagsFromStream", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("a"), TagKeys: []string{"k"}})
		return err
	}},
	{"ListTagsForStream", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("a")})
		return err
	}},
	{"TagResource", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arnA), Tags: map[string]string{"k": "v"}})
		return err
	}},
	{"UntagResource", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(arnA), TagKeys: []string{"k"}})
		return err
	}},
	{"ListTagsForResource", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(arnA)})
		return err
	}},
	{"DescribeLimits", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
		return err
	}},
	{"SplitShard", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("a"),
			ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1")})
		return err
	}},
	{"MergeShards", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("a"),
			ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")})
		return err
	}},
	{"UpdateShardCount", func(ctx context.Context, c *kinesis.Client) error {
		_, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("a"),
			TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling})
		return err
	}},
}

// TestAuth_SDKEveryOperation: with Credentials, the SDK signing with a listed
// key reaches every operation, over HTTP/1.1 and over h2c, with and without a
// session token (which the SDK signs).
func TestAuth_SDKEveryOperation(t *testing.T) {
	ctx := context.Background()
	b := newFakeBackend()
	_, url := mustServe(t, b, authOptions())
	h2c := h2cClient()
	t.Cleanup(h2c.CloseIdleConnections)
	h1 := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(h1.CloseIdleConnections)
	calls := 0
	for _, tr := range []struct {
		name  string
		hc    *http.Client
		token string
	}{{"HTTP/1.1", h1, ""}, {"h2c", h2c, ""}, {"session token", h1, "TOKEN/with+chars="}} {
		t.Run(tr.name, func(t *testing.T) {
			client := sdkClientAs(url, tr.hc, authKeyID, authSecret, tr.token)
			for _, op := range everyOperation {
				require.NoError(t, op.call(ctx, client), op.name)
				calls++
			}
		})
	}
	require.Equal(t, calls, b.callCount(), "every call reached the Backend")
	require.Equal(t, 3*22, calls)
}

// requireAPIError checks the type, message and status of an SDK error.
func requireAPIError(t *testing.T, err error, errType, msg string) {
	t.Helper()
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, errType, apiErr.ErrorCode())
	require.Equal(t, msg, apiErr.ErrorMessage())
	var respErr *awshttp.ResponseError
	require.ErrorAs(t, err, &respErr)
	require.Equal(t, http.StatusBadRequest, respErr.HTTPStatusCode())
}

// TestAuth_SDKWrongKeys: a wrong secret and an unknown access key get AWS's
// errors, and no call reaches the Backend.
func TestAuth_SDKWrongKeys(t *testing.T) {
	ctx := context.Background()
	b := newFakeBackend()
	_, url := mustServe(t, b, authOptions())
	for _, tc := range []struct {
		name, keyID, secret string
		errType, msg        string
	}{
		{"wrong secret", authKeyID, "not-the-secret", "InvalidSignatureException", msgMismatch},
		{"unknown access key", "AKIDUNKNOWN", authSecret, "UnrecognizedClientException",
			"The security token included in the request is invalid."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := sdkClientAs(url, nil, tc.keyID, tc.secret, "")
			_, err := client.ListStreams(ctx, &kinesis.ListStreamsInput{})
			requireAPIError(t, err, tc.errType, tc.msg)
			_, err = client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("a"),
				Records: []types.PutRecordsRequestEntry{{Data: []byte("x"), PartitionKey: aws.String("k")}}})
			requireAPIError(t, err, tc.errType, tc.msg)
		})
	}
	require.Zero(t, b.callCount())
}

// TestAuth_OffAcceptsAnySignature: without Credentials (the default) any
// complete signature passes, as with kinesalite.
func TestAuth_OffAcceptsAnySignature(t *testing.T) {
	b := newFakeBackend()
	_, url := mustServe(t, b)
	_, err := sdkClientAs(url, nil, "anything", "at all", "").ListStreams(context.Background(), &kinesis.ListStreamsInput{})
	require.NoError(t, err)
	require.Equal(t, 1, b.callCount())
}

// signRequest signs r for body with the SDK's signer at the given time.
func signRequest(t *testing.T, r *http.Request, body []byte, keyID, secret string, at time.Time) {
	t.Helper()
	sum := sha256.Sum256(body)
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, r, hex.EncodeToString(sum[:]), "kinesis", "us-east-1", at))
}

// newKinesisRequest returns an unsigned JSON request for op, as a client
// would build it before sending.
func newKinesisRequest(t *testing.T, url, op, contentType string, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(string(body)))
	require.NoError(t, err)
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	return r
}

// send sends r and returns the status and body of the answer.
func send(t *testing.T, r *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestAuth_BodyChangedAfterSigning: the payload hash is taken over the body the
// server read, so a body changed after signing fails, whatever
// X-Amz-Content-Sha256 claims. CBOR requests are verified the same way.
func TestAuth_BodyChangedAfterSigning(t *testing.T) {
	b := newFakeBackend()
	_, url := mustServe(t, b, authOptions())
	now := time.Now()
	body := []byte(`{"StreamName":"a","Data":"eA==","PartitionKey":"k"}`)
	changed := []byte(`{"StreamName":"b","Data":"eA==","PartitionKey":"k"}`)
	wantMismatch := `{"__type":"InvalidSignatureException","message":"` + msgMismatch + `"}`

	r := newKinesisRequest(t, url, "PutRecord", "application/x-amz-json-1.1", body)
	signRequest(t, r, body, authKeyID, authSecret, now)
	status, answer := send(t, r)
	require.Equal(t, http.StatusOK, status, answer)

	r = newKinesisRequest(t, url, "PutRecord", "application/x-amz-json-1.1", body)
	signRequest(t, r, body, authKeyID, authSecret, now)
	r.Body, r.ContentLength = io.NopCloser(strings.NewReader(string(changed))), int64(len(changed))
	status, answer = send(t, r)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, wantMismatch, answer)

	sum := sha256.Sum256(body)
	r = newKinesisRequest(t, url, "PutRecord", "application/x-amz-json-1.1", body)
	r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	signRequest(t, r, body, authKeyID, authSecret, now)
	r.Body, r.ContentLength = io.NopCloser(strings.NewReader(string(changed))), int64(len(changed))
	status, answer = send(t, r)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, wantMismatch, answer, "a signed X-Amz-Content-Sha256 does not stand in for the body")

	// {"StreamName": "a"} in CBOR, then with the name changed to "b".
	cbor := []byte("\xa1\x6aStreamName\x61a")
	r = newKinesisRequest(t, url, "DescribeStream", "application/x-amz-cbor-1.1", cbor)
	signRequest(t, r, cbor, authKeyID, authSecret, now)
	status, answer = send(t, r)
	require.Equal(t, http.StatusOK, status, "%x", answer)

	r = newKinesisRequest(t, url, "DescribeStream", "application/x-amz-cbor-1.1", cbor)
	signRequest(t, r, cbor, authKeyID, authSecret, now)
	r.Body = io.NopCloser(strings.NewReader("\xa1\x6aStreamName\x61b"))
	status, answer = send(t, r)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "\xa2"+cborText("__type")+cborText("InvalidSignatureException")+
		cborText("message")+string([]byte{0x78, byte(len(msgMismatch))})+msgMismatch, answer)
	require.Equal(t, 2, b.callCount(), "only the intact requests reached the Backend")
}

// TestAuth_ClockSkew: a signature dated more than 5 minutes from the server's
// clock is refused (the exact texts are pinned in TestCheckClock).
func TestAuth_ClockSkew(t *testing.T) {
	_, url := mustServe(t, newFakeBackend(), authOptions())
	for _, tc := range []struct {
		offset time.Duration
		want   string
	}{
		{-20 * time.Minute, `^\{"__type":"InvalidSignatureException","message":"Signature expired: (\d{8}T\d{6}Z) is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)"\}$`},
		{20 * time.Minute, `^\{"__type":"InvalidSignatureException","message":"Signature not yet current: (\d{8}T\d{6}Z) is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)"\}$`},
	} {
		at := time.Now().Add(tc.offset).UTC()
		body := []byte(`{}`)
		r := newKinesisRequest(t, url, "ListStreams", "application/x-amz-json-1.1", body)
		signRequest(t, r, body, authKeyID, authSecret, at)
		status, answer := send(t, r)
		require.Equal(t, http.StatusBadRequest, status)
		require.Regexp(t, tc.want, answer)
		require.Contains(t, answer, at.Format("20060102T150405Z"))
	}
}

// TestAuth_Presigned: a request presigned in its query string passes, and one
// whose query was changed does not.
func TestAuth_Presigned(t *testing.T) {
	_, url := mustServe(t, newFakeBackend(), authOptions())
	body := []byte(`{}`)
	sum := sha256.Sum256(body)
	r := newKinesisRequest(t, url, "ListStreams", "application/x-amz-json-1.1", body)
	r.URL.RawQuery = "X-Amz-Expires=300"
	// X-Amz-Target stays a header: the server reads the operation from there.
	noHoisting := func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true }
	signedURL, signedHeaders, err := v4.NewSigner(noHoisting).PresignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: authKeyID, SecretAccessKey: authSecret}, r, hex.EncodeToString(sum[:]),
		"kinesis", "us-east-1", time.Now())
	require.NoError(t, err)
	for _, tamper := range []bool{false, true} {
		u := signedURL
		if tamper {
			u = strings.Replace(u, "X-Amz-Expires=300", "X-Amz-Expires=600", 1)
		}
		req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(string(body)))
		require.NoError(t, err)
		for k, v := range signedHeaders {
			if !strings.EqualFold(k, "Host") {
				req.Header[k] = v
			}
		}
		status, answer := send(t, req)
		if tamper {
			require.Equal(t, http.StatusBadRequest, status)
			require.Equal(t, `{"__type":"InvalidSignatureException","message":"`+msgMismatch+`"}`, answer)
		} else {
			require.Equal(t, http.StatusOK, status, answer)
		}
	}
}

// TestAuth_MalformedSignatures walks the checks before the signature itself,
// in AWS's order, with AWS's texts.
func TestAuth_MalformedSignatures(t *testing.T) {
	s, b := mustNew(t, authOptions())
	now := time.Now().UTC()
	date, day := now.Format("20060102T150405Z"), now.Format("20060102")
	scope := "/" + day + "/us-east-1/kinesis/aws4_request"
	cases := []struct {
		name    string
		headers map[string]string
		errType string
		msg     string
	}{
		{"no signature", nil, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"other algorithm", map[string]string{"Authorization": "AWS3-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=b"},
			"IncompleteSignatureException", "Unsupported AWS 'algorithm': 'AWS3-HMAC-SHA256'."},
		{"not key=value", map[string]string{"Authorization": "AWS4-HMAC-SHA256 FooBar, BazBurp"},
			"IncompleteSignatureException",
			"'FooBar' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 FooBar, BazBurp'."},
		{"space after Credential=", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential= AKID" + scope + ", SignedHeaders=host, Signature=b"},
			"IncompleteSignatureException",
			"'AKID" + scope + "' not a valid key=value pair (missing equal-sign) in Authorization header: " +
				"'AWS4-HMAC-SHA256 Credential= AKID" + scope + ", SignedHeaders=host, Signature=b'."},
		{"algorithm only", map[string]string{"Authorization": "AWS4-HMAC-SHA256"}, "IncompleteSignatureException",
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256"},
		{"no date", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKID" + scope + ", SignedHeaders=host, Signature=b"},
			"IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=AWS4-HMAC-SHA256 Credential=AKID" + scope + ", SignedHeaders=host, Signature=b"},
		{"host not signed", map[string]string{"X-Amz-Date": date,
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKID" + scope + ", SignedHeaders=x-amz-date, Signature=b"},
			"InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{"date not ISO 8601", map[string]string{"X-Amz-Date": "2026-01-01T00:00:00Z",
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKID" + scope + ", SignedHeaders=host;x-amz-date, Signature=b"},
			"IncompleteSignatureException", "Date must be in ISO-8601 'basic format'. Got '2026-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"short credential", map[string]string{"X-Amz-Date": date,
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/" + day + ", SignedHeaders=host;x-amz-date, Signature=b"},
			"IncompleteSignatureException", "Credential must have exactly 5 slash-delimited elements, e.g. " +
				"keyid/date/region/service/term, got 'AKID/" + day + "'"},
		{"scope of another day", map[string]string{"X-Amz-Date": date,
			"Authorization": "AWS4-HMAC-SHA256 Credential=" + authKeyID + "/19990101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=b"},
			"InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
				"'19990101' != '" + day + "', from '" + date + "'."},
		{"unknown key", map[string]string{"X-Amz-Date": date,
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDNOBODY" + scope + ", SignedHeaders=host;x-amz-date, Signature=b"},
			"UnrecognizedClientException", "The security token included in the request is invalid."},
		{"wrong signature", map[string]string{"X-Amz-Date": date,
			"Authorization": "AWS4-HMAC-SHA256 Credential=" + authKeyID + scope + ", SignedHeaders=host;x-amz-date, Signature=0123"},
			"InvalidSignatureException", msgMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
			r.Header.Set("Content-Type", "application/x-amz-json-1.1")
			r.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			require.Equal(t, http.StatusBadRequest, w.Code)
			require.Equal(t, `{"__type":"`+tc.errType+`","message":"`+tc.msg+`"}`, w.Body.String())
			require.Equal(t, tc.errType, header(w.Header(), "x-amzn-ErrorType"))
		})
	}
	require.Zero(t, b.callCount())
}

// TestAuth_UnsignedSessionToken: a session token added after signing is
// accepted, as AWS's JSON services accept it; one that is signed is covered
// by TestAuth_SDKEveryOperation.
func TestAuth_UnsignedSessionToken(t *testing.T) {
	_, url := mustServe(t, newFakeBackend(), authOptions())
	body := []byte(`{}`)
	r := newKinesisRequest(t, url, "ListStreams", "application/x-amz-json-1.1", body)
	signRequest(t, r, body, authKeyID, authSecret, time.Now())
	require.NotContains(t, r.Header.Get("Authorization"), "x-amz-security-token")
	r.Header.Set("X-Amz-Security-Token", "added-after-signing")
	status, answer := send(t, r)
	require.Equal(t, http.StatusOK, status, answer)
}
