package server

import "net/http"

// Cross-origin requests (step 3 of the request order). A browser lets a web
// page call another origin only when that origin's answers say so, and it asks
// first (a preflight OPTIONS) before any request that carries X-Amz-Target or
// an AWS content type. Answering every origin, as kinesalite does, lets any
// page open on the machine list, read, write and delete streams; so, like AWS,
// the server answers CORS only for the origins it is given
// (Options.CORSOrigins). The SDKs outside a browser send no Origin and need
// none of this.

// corsPolicy is the set of origins allowed to read answers.
type corsPolicy struct {
	anyOrigin bool            // "*" was given explicitly
	origins   map[string]bool // exact origins: scheme://host[:port]
}

func newCORSPolicy(origins []string) corsPolicy {
	p := corsPolicy{origins: make(map[string]bool, len(origins))}
	for _, o := range origins {
		if o == "*" {
			p.anyOrigin = true
		} else {
			p.origins[o] = true
		}
	}
	return p
}

// Header values of the CORS answers, shared so that setting them allocates nothing.
var (
	headerAnyOrigin = []string{"*"}
	headerVary      = []string{"Origin"}
	headerMaxAge    = []string{"172800"} // 2 days, as kinesalite answers
	// The methods of the API: POST for every operation, OPTIONS for the preflight.
	headerAllowMethods = []string{"POST, OPTIONS"}
	// The headers the AWS SDKs set on a Kinesis request in a browser (the JavaScript
	// SDK v3 adds amz-sdk-invocation-id and amz-sdk-request for retries, and
	// x-amz-user-agent in place of User-Agent). A listed origin gets this list, never
	// an echo of what the preflight asked for.
	headerAllowHeaders = []string{"Authorization, Content-Type, Date, X-Amz-Date, X-Amz-Target, " +
		"X-Amz-Security-Token, X-Amz-Content-Sha256, X-Amz-User-Agent, amz-sdk-invocation-id, amz-sdk-request"}
	// The response headers the JavaScript SDK reads: request ids and the error type.
	headerExpose = []string{"x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date"}
)

// answerCORS sets the CORS headers for a request with an Origin, and answers a
// preflight itself, reporting true when it did. An origin that is not allowed
// gets no Access-Control-* header at all, so the browser keeps the answer from
// the page; a preflight from it still gets its empty 200.
func (c *call) answerCORS(origin string, preflight bool) bool {
	p := &c.s.cors
	h := c.w.Header()
	if len(p.origins) > 0 {
		h["Vary"] = headerVary // the answer depends on the Origin
	}
	allowed := true
	switch {
	case p.origins[origin]:
		h["Access-Control-Allow-Origin"] = []string{origin}
	case p.anyOrigin:
		h["Access-Control-Allow-Origin"] = headerAnyOrigin
	default:
		allowed = false
	}
	if !preflight {
		if allowed {
			h["Access-Control-Expose-Headers"] = headerExpose
		}
		return false
	}
	if allowed {
		h["Access-Control-Allow-Methods"] = headerAllowMethods
		h["Access-Control-Allow-Headers"] = headerAllowHeaders
		h["Access-Control-Max-Age"] = headerMaxAge
	}
	c.send(http.StatusOK, nil, nil)
	return true
}
