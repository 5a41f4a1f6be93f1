package server

import (
	"bytes"
	"context"
	"net/http"
	"strings"
)

// ConsolePath is where the web console lives: every request under it goes to
// Options.Console, without a SigV4 signature, since the console checks its own access
// token and its own token against cross-site requests.
const ConsolePath = "/console/"

// isConsoleRequest reports whether r is for the console and the server has one; without
// one, the request goes to the Kinesis API like any other.
func (s *Server) isConsoleRequest(r *http.Request) bool {
	return s.opts.Console != nil &&
		(r.URL.Path == strings.TrimSuffix(ConsolePath, "/") || strings.HasPrefix(r.URL.Path, ConsolePath))
}

// serveConsole hands r to the console with a context that also ends at Shutdown, as
// SubscribeToShard streams do: a live view of the console is a request that lasts until
// the page goes, and would otherwise hold up the drain until its timeout.
func (s *Server) serveConsole(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.stopping, cancel)
	defer stop()
	s.opts.Console.ServeHTTP(w, r.WithContext(ctx))
}

// invokedKey marks the context of a request that Invoke made: one that comes from inside
// the process, so it needs no signature.
type invokedKey struct{}

// Invoke runs the operation op (such as "CreateStream") on the awsJson 1.1 body in, and
// returns the status and the body of the answer, exactly as a POST / with that body and
// the header X-Amz-Target: Kinesis_20131202.<op> would get them: the same decoding, model
// constraints, Admit hook and Backend call, and the same errors, in the default account
// and region. It only skips the signature, which a caller in the process has no use for.
// The web console (package console) makes every change through Invoke, so it follows
// every rule the API does.
//
// An answer cut short after part of it was sent (a GetRecords that meets damage) comes
// back with status 0 and what was written before the cut.
func (s *Server) Invoke(ctx context.Context, op string, in []byte) (status int, out []byte) {
	ctx = context.WithValue(ctx, invokedKey{}, true)
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(in))
	if err != nil {
		panic("server: Invoke: " + err.Error()) // a constant method and path always make a request
	}
	r.Header.Set("Content-Type", contentTypeJSON)
	r.Header.Set("X-Amz-Target", targetPrefix+"."+op)
	w := &invokeWriter{header: http.Header{}}
	defer func() {
		if p := recover(); p != nil && p != http.ErrAbortHandler {
			panic(p)
		} else if p != nil {
			status, out = 0, w.body.Bytes()
		}
	}()
	s.ServeHTTP(w, r)
	return w.status, w.body.Bytes()
}

// invoked reports whether r was made by Invoke.
func invoked(r *http.Request) bool {
	v, _ := r.Context().Value(invokedKey{}).(bool)
	return v
}

// invokeWriter keeps the answer to a request made by Invoke.
type invokeWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *invokeWriter) Header() http.Header { return w.header }

func (w *invokeWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *invokeWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}
