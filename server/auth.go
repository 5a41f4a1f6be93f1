package server

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shardlog/shardlog/kinesis"
)

// Authentication (step 11 of the request order, KINESIS-API.md §1.7). Every
// request must carry a SigV4 signature, in the Authorization header or in the
// query string (a presigned request). By default the server checks only that
// the signature is complete, as kinesalite does: local clients sign with dummy
// keys. Given Options.Credentials it also verifies the signature as AWS does,
// in AWS's order, with AWS's error types and texts:
//
//  1. the algorithm is AWS4-HMAC-SHA256 and every part of the header is
//     key=value (IncompleteSignatureException);
//  2. Credential, Signature, SignedHeaders and a date are present
//     (IncompleteSignatureException, kinesalite's texts);
//  3. host (or HTTP/2's :authority) is among the signed headers
//     (InvalidSignatureException);
//  4. the date is in ISO 8601 basic format (IncompleteSignatureException) and
//     within maxClockSkew of the server's clock (InvalidSignatureException);
//  5. the credential scope has five parts (IncompleteSignatureException), ends
//     in aws4_request and names the request's day (InvalidSignatureException);
//  6. the access key is known (UnrecognizedClientException);
//  7. the signature over the canonical request, whose payload hash is the
//     SHA-256 of the body as read, matches (InvalidSignatureException).
//
// The region and service of the scope are not checked: they are part of the
// signing key, so a signature is still bound to them, and local clients name
// any region. A session token (X-Amz-Security-Token) is accepted whether it is
// signed or not; the server has no token service to check it against.

const (
	signingAlgorithm = "AWS4-HMAC-SHA256"
	scopeTerminator  = "aws4_request"
	amzDateLayout    = "20060102T150405Z" // ISO 8601 basic format, UTC
	scopeDateLayout  = "20060102"

	// maxClockSkew is how far a signature's date may be from the server's clock.
	// Kinesis allows 5 minutes, as its answers show ("Signature not yet current:
	// 20181017T093750Z is still later than 20181017T093639Z (20181017T093139Z +
	// 5 min.)"); some other AWS services allow 15.
	maxClockSkew = 5 * time.Minute

	// maxPresignExpires bounds X-Amz-Expires of a presigned request: 7 days, as AWS.
	maxPresignExpires = 7 * 24 * time.Hour
)

// Texts of the auth errors, as AWS writes them.
const (
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgUnknownAccessKey = "The security token included in the request is invalid."
	msgHostNotSigned    = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgMissingToken     = "Missing Authentication Token"
)

var signatureParams = [...]string{"Credential", "Signature", "SignedHeaders"}

var queryAuthParams = [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"}

// signature is what a request says about its signature.
type signature struct {
	credential    string // <key id>/<date>/<region>/<service>/aws4_request
	signedHeaders string // header names joined by ';'
	signature     string // lower-case hex
	date          string // X-Amz-Date (or Date) as sent
	expires       string // X-Amz-Expires of a presigned request; may be empty
	presigned     bool
}

// authenticate checks the request's signature and returns what its credential
// scope says about the caller.
func (s *Server) authenticate(r *http.Request, body []byte) (*RequestInfo, *kinesis.Error) {
	if invoked(r) {
		return &RequestInfo{}, nil // from inside the process (Invoke): the default scope
	}
	verify := len(s.keys) > 0
	sig, err := readSignature(r, verify)
	if err != nil {
		return nil, err
	}
	if verify {
		if err := s.verify(r, body, sig); err != nil {
			return nil, err
		}
	}
	return scopeInfo(sig.credential), nil
}

// readSignature finds the signature in the header or the query string and
// checks that it is complete. strict adds AWS's syntax checks of the header,
// which kinesalite does not make.
func readSignature(r *http.Request, strict bool) (*signature, *kinesis.Error) {
	header := r.Header.Get("Authorization")
	var query url.Values
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	_, hasQueryAuth := query["X-Amz-Algorithm"]
	switch {
	case header != "" && hasQueryAuth:
		return nil, &kinesis.Error{Type: kinesis.TypeInvalidSignature,
			Message: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."}
	case header == "" && !hasQueryAuth:
		return nil, &kinesis.Error{Type: kinesis.TypeMissingAuthToken, Message: msgMissingToken}
	case header != "":
		return readAuthHeader(r, header, strict)
	}
	return readQueryAuth(query, strict)
}

func readQueryAuth(query url.Values, strict bool) (*signature, *kinesis.Error) {
	var msg strings.Builder
	for _, p := range queryAuthParams {
		if query.Get(p) == "" {
			msg.WriteString("AWS query-string parameters must include '" + p + "'. ")
		}
	}
	if msg.Len() > 0 {
		msg.WriteString("Re-examine the query-string parameters.")
		return nil, &kinesis.Error{Type: kinesis.TypeIncompleteSignature, Message: msg.String()}
	}
	if alg := query.Get("X-Amz-Algorithm"); strict && alg != signingAlgorithm {
		return nil, unsupportedAlgorithm(alg)
	}
	return &signature{
		credential:    query.Get("X-Amz-Credential"),
		signedHeaders: query.Get("X-Amz-SignedHeaders"),
		signature:     query.Get("X-Amz-Signature"),
		date:          query.Get("X-Amz-Date"),
		expires:       query.Get("X-Amz-Expires"),
		presigned:     true,
	}, nil
}

func readAuthHeader(r *http.Request, header string, strict bool) (*signature, *kinesis.Error) {
	if strict {
		if err := checkHeaderSyntax(header); err != nil {
			return nil, err
		}
	}
	params := make(map[string]string, 4)
	fields := strings.FieldsFunc(header, isAuthSeparator)
	for i, f := range fields {
		if i == 0 && !strings.HasPrefix(header, ",") && !strings.HasPrefix(header, " ") {
			continue // the algorithm
		}
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		v, _, _ = strings.Cut(v, "=")
		params[k] = v
	}
	var msg strings.Builder
	for _, p := range signatureParams {
		if params[p] == "" {
			msg.WriteString("Authorization header requires '" + p + "' parameter. ")
		}
	}
	date := r.Header.Get("X-Amz-Date")
	if date == "" {
		date = r.Header.Get("Date")
	}
	if date == "" {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		msg.WriteString("Authorization=" + header)
		return nil, &kinesis.Error{Type: kinesis.TypeIncompleteSignature, Message: msg.String()}
	}
	return &signature{
		credential:    params["Credential"],
		signedHeaders: params["SignedHeaders"],
		signature:     params["Signature"],
		date:          date,
	}, nil
}

func isAuthSeparator(c rune) bool { return c == ',' || c == ' ' }

// checkHeaderSyntax is step 1: the algorithm, then every part a key=value pair.
func checkHeaderSyntax(header string) *kinesis.Error {
	alg, rest, _ := strings.Cut(header, " ")
	if alg != signingAlgorithm {
		return unsupportedAlgorithm(alg)
	}
	for _, f := range strings.FieldsFunc(rest, isAuthSeparator) {
		if !strings.Contains(f, "=") {
			return &kinesis.Error{Type: kinesis.TypeIncompleteSignature, Message: "'" + f +
				"' not a valid key=value pair (missing equal-sign) in Authorization header: '" + header + "'."}
		}
	}
	return nil
}

func unsupportedAlgorithm(alg string) *kinesis.Error {
	return &kinesis.Error{Type: kinesis.TypeIncompleteSignature, Message: "Unsupported AWS 'algorithm': '" + alg + "'."}
}

// verify carries a complete signature through steps 3 to 7.
func (s *Server) verify(r *http.Request, body []byte, sig *signature) *kinesis.Error {
	if !slices.ContainsFunc(strings.Split(sig.signedHeaders, ";"), isHost) {
		return &kinesis.Error{Type: kinesis.TypeInvalidSignature, Message: msgHostNotSigned}
	}
	at, err := parseSigningTime(sig.date)
	if err != nil {
		return err
	}
	if err := s.checkClock(at, sig); err != nil {
		return err
	}
	keyID, scope, err := checkScope(sig.credential, at)
	if err != nil {
		return err
	}
	secret, ok := s.keys[keyID]
	if !ok {
		return &kinesis.Error{Type: kinesis.TypeUnrecognizedClient, Message: msgUnknownAccessKey}
	}
	canonical := canonicalRequest(r, sig, payloadHash(body))
	want := signatureFor(secret, scope, at.Format(amzDateLayout), canonical)
	if !hmac.Equal([]byte(want), []byte(sig.signature)) {
		return &kinesis.Error{Type: kinesis.TypeInvalidSignature, Message: msgSignatureMismatch}
	}
	return nil
}

// isHost reports whether a signed header names the host: "host", or
// ":authority", which the JavaScript SDK v3 signs in its place over HTTP/2.
func isHost(name string) bool { return strings.EqualFold(name, "host") || name == ":authority" }

// parseSigningTime reads X-Amz-Date, or a Date header in ISO 8601 basic or HTTP format.
func parseSigningTime(v string) (time.Time, *kinesis.Error) {
	if t, err := time.Parse(amzDateLayout, v); err == nil {
		return t, nil
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, &kinesis.Error{Type: kinesis.TypeIncompleteSignature,
		Message: "Date must be in ISO-8601 'basic format'. Got '" + v + "'. See http://en.wikipedia.org/wiki/ISO_8601"}
}

// checkClock refuses a signature dated too far from the server's clock. A
// presigned request with X-Amz-Expires stays valid that long after its date.
func (s *Server) checkClock(at time.Time, sig *signature) *kinesis.Error {
	now := s.opts.now().UTC().Truncate(time.Second)
	past := maxClockSkew
	if sig.presigned && sig.expires != "" {
		n, err := strconv.Atoi(sig.expires)
		if err != nil || n < 1 || time.Duration(n)*time.Second > maxPresignExpires {
			return &kinesis.Error{Type: kinesis.TypeIncompleteSignature,
				Message: "X-Amz-Expires must be a whole number of seconds from 1 to 604800, not '" + sig.expires + "'."}
		}
		past = time.Duration(n) * time.Second
	}
	switch {
	case at.Before(now.Add(-past)):
		return &kinesis.Error{Type: kinesis.TypeInvalidSignature, Message: "Signature expired: " + at.Format(amzDateLayout) +
			" is now earlier than " + now.Add(-past).Format(amzDateLayout) +
			" (" + now.Format(amzDateLayout) + " - " + skewText(past) + ".)"}
	case at.After(now.Add(maxClockSkew)):
		return &kinesis.Error{Type: kinesis.TypeInvalidSignature, Message: "Signature not yet current: " + at.Format(amzDateLayout) +
			" is still later than " + now.Add(maxClockSkew).Format(amzDateLayout) +
			" (" + now.Format(amzDateLayout) + " + " + skewText(maxClockSkew) + ".)"}
	}
	return nil
}

// skewText writes a tolerance the way AWS's messages do: "5 min".
func skewText(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min"
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " sec"
}

// checkScope is step 5. It returns the access key id and the scope that the
// string to sign names: <date>/<region>/<service>/aws4_request.
func checkScope(credential string, at time.Time) (keyID, scope string, _ *kinesis.Error) {
	parts := strings.Split(credential, "/")
	if len(parts) != 5 {
		return "", "", &kinesis.Error{Type: kinesis.TypeIncompleteSignature, Message: "Credential must have exactly 5 " +
			"slash-delimited elements, e.g. keyid/date/region/service/term, got '" + credential + "'"}
	}
	var msgs []string
	if parts[4] != scopeTerminator {
		msgs = append(msgs, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+parts[4]+"'.")
	}
	if day := at.Format(scopeDateLayout); parts[1] != day {
		msgs = append(msgs, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			parts[1]+"' != '"+day+"', from '"+at.Format(amzDateLayout)+"'.")
	}
	if len(msgs) > 0 {
		return "", "", &kinesis.Error{Type: kinesis.TypeInvalidSignature, Message: strings.Join(msgs, " ")}
	}
	return parts[0], strings.Join(parts[1:], "/"), nil
}

// scopeInfo reads the credential scope <key id>/<date>/<region>/<service>/aws4_request.
func scopeInfo(credential string) *RequestInfo {
	parts := strings.Split(credential, "/")
	info := &RequestInfo{AccessKeyID: parts[0]}
	if len(parts) > 2 {
		info.Region = parts[2]
	}
	return info
}

// The canonical request and the signature, as the SigV4 specification builds
// them: AWS's published test suite (get-vanilla, post-x-www-form-urlencoded, …)
// pins them in auth_internal_test.go.

// payloadHash is the hex SHA-256 of the body as read. A client's
// X-Amz-Content-Sha256 header is not trusted: when it disagrees with the body,
// the signature does not match.
func payloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// canonicalRequest writes method, path, query, the signed headers with their
// values, the signed header names and the payload hash, one per line.
func canonicalRequest(r *http.Request, sig *signature, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery, sig.presigned))
	b.WriteByte('\n')
	for _, name := range strings.Split(sig.signedHeaders, ";") {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(sig.signedHeaders)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalURI is the path as sent, encoded once more, as every service but S3
// signs it.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return uriEncode(p, false)
}

// canonicalQuery sorts the parameters by name, then value, each encoded; a
// presigned request leaves its own X-Amz-Signature out.
func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	type param struct{ name, value string }
	var params []param
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		params = append(params, param{uriEncode(k, true), uriEncode(v, true)})
	}
	slices.SortFunc(params, func(a, b param) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.value, b.value))
	})
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name + "=" + p.value)
	}
	return b.String()
}

func queryUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s // malformed escapes are signed as they came
}

// canonicalHeaderValue returns a signed header's values, trimmed, runs of
// spaces made one, joined by commas. net/http keeps Host (HTTP/2's
// :authority) and, at times, Content-Length out of Header.
func canonicalHeaderValue(r *http.Request, name string) string {
	values := r.Header.Values(name)
	switch {
	case isHost(name):
		values = []string{r.Host}
	case len(values) == 0 && strings.EqualFold(name, "content-length") && r.ContentLength >= 0:
		values = []string{strconv.FormatInt(r.ContentLength, 10)}
	}
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(collapseSpaces(v))
	}
	return b.String()
}

// collapseSpaces trims spaces and makes each run of spaces inside one.
func collapseSpaces(v string) string {
	v = strings.Trim(v, " ")
	if !strings.Contains(v, "  ") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && v[i-1] == ' ' {
			continue
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// uriEncode percent-encodes every byte but the unreserved characters
// A-Z a-z 0-9 - _ . ~ (and '/', unless encodeSlash), in upper-case hex.
func uriEncode(s string, encodeSlash bool) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexUpper[c>>4])
		b.WriteByte(hexUpper[c&0xf])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// signatureFor signs the canonical request with the key derived from secret
// for scope (<date>/<region>/<service>/aws4_request).
func signatureFor(secret, scope, amzDate, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	stringToSign := signingAlgorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := []byte("AWS4" + secret)
	for part := range strings.SplitSeq(scope, "/") {
		key = hmacSHA256(key, part)
	}
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
