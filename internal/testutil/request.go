package testutil

import "net/http"

// SetKinesisHeaders sets the headers of an awsJson 1.1 request for the Kinesis operation op
// (PutRecords, …): the content type, the target, and a well-formed SigV4 Authorization
// and date, whose signature a server that does not verify signatures (the default) accepts.
// It returns r.
func SetKinesisHeaders(r *http.Request, op string) *http.Request {
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, "+
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef")
	r.Header.Set("X-Amz-Date", "20260101T000000Z")
	return r
}
