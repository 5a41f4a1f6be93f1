package server

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
)

// ResetPath is the path of the reset call: POST deletes every stream of every account and
// region at once, through Options.Reset, and answers when they are gone, with
// {"deletedStreams":N}. It is for test suites that share one server between tests, and so
// it is answered only to clients on a loopback address, and not to browser pages (a request
// with an Origin header): any other gets 403, whatever its credentials. Other methods on
// the path get 405.
const ResetPath = "/_shardlog/reset"

// serveReset answers a request to ResetPath.
func (s *Server) serveReset(w http.ResponseWriter, r *http.Request) {
	switch {
	case !isLoopback(r.RemoteAddr):
		writeResetAnswer(w, http.StatusForbidden, map[string]any{"message": "the reset call is answered only to clients on a loopback address"})
	case r.Header.Get("Origin") != "":
		// A browser sends Origin with every POST; a page of any site could otherwise reach
		// the reset of a server on the machine the browser runs on, since a POST without a
		// body needs no CORS preflight.
		writeResetAnswer(w, http.StatusForbidden, map[string]any{"message": "the reset call is not answered to browser pages (the request has an Origin)"})
	case r.Method != http.MethodPost:
		w.Header()["Allow"] = []string{http.MethodPost}
		writeResetAnswer(w, http.StatusMethodNotAllowed, map[string]any{"message": "the reset call is a POST"})
	case s.opts.Reset == nil:
		writeResetAnswer(w, http.StatusNotImplemented, map[string]any{"message": "this server has no reset"})
	default:
		n, err := s.opts.Reset(r.Context())
		if err != nil {
			s.opts.Logger.Error("reset", "deleted", n, "err", err)
			writeResetAnswer(w, http.StatusInternalServerError, map[string]any{"deletedStreams": n, "message": err.Error()})
			return
		}
		s.opts.Logger.Info("reset: every stream deleted", "deleted", n)
		writeResetAnswer(w, http.StatusOK, map[string]any{"deletedStreams": n})
	}
}

// isLoopback reports whether addr, a RemoteAddr, is on a loopback address.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func writeResetAnswer(w http.ResponseWriter, status int, body map[string]any) {
	b, _ := json.Marshal(body) // strings and numbers always encode
	b = append(b, '\n')
	hdr := w.Header()
	hdr["Content-Type"] = []string{"application/json"}
	hdr["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	w.Write(b)
}
