package console

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// okAPI answers every operation with an empty object, and counts the calls.
type okAPI struct{ calls []string }

func (a *okAPI) Invoke(_ context.Context, op string, in []byte) (int, []byte) {
	a.calls = append(a.calls, op+" "+string(in))
	return http.StatusOK, []byte(`{}`)
}

func mustNew(t *testing.T, opts Options) (*Console, *okAPI) {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	api := &okAPI{}
	c.Bind(api)
	return c, api
}

// request makes a request that came in on the listener at local, for Host host.
func request(method, target, local, host string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(`{"StreamName":"s"}`))
	r.Host = host
	addr, _ := net.ResolveTCPAddr("tcp", local)
	return r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, addr))
}

func TestNew_AnywhereNeedsToken(t *testing.T) {
	if _, err := New(Options{Anywhere: true}); err != ErrAnywhereWithoutToken {
		t.Fatalf("New(Anywhere without Token) = %v, want ErrAnywhereWithoutToken", err)
	}
}

func TestConsole_Access(t *testing.T) {
	local, _ := mustNew(t, Options{})
	anywhere, _ := mustNew(t, Options{Anywhere: true, Token: "s3cret"})
	tokenOnly, _ := mustNew(t, Options{Token: "s3cret"})
	for _, tc := range []struct {
		name   string
		c      *Console
		r      func() *http.Request
		status int
		says   string // in the body of a refusal
	}{
		{"loopback page", local, func() *http.Request {
			return request("GET", "/console/", "127.0.0.1:4567", "127.0.0.1:4567")
		}, 200, ""},
		{"loopback IPv6 and localhost", local, func() *http.Request {
			return request("GET", "/console/", "[::1]:4567", "localhost:4567")
		}, 200, ""},
		{"listener beyond loopback", local, func() *http.Request {
			return request("GET", "/console/", "192.0.2.7:4567", "192.0.2.7:4567")
		}, 403, "only on a loopback listener"},
		{"no listener address", local, func() *http.Request {
			return httptest.NewRequest("GET", "/console/", nil)
		}, 403, "only on a loopback listener"},
		{"rebound host name", local, func() *http.Request {
			return request("GET", "/console/", "127.0.0.1:4567", "attacker.example:4567")
		}, 403, "not to Host attacker.example:4567"},
		{"anywhere without the token", anywhere, func() *http.Request {
			return request("GET", "/console/", "192.0.2.7:4567", "192.0.2.7:4567")
		}, 403, "access token required"},
		{"anywhere with a wrong token", anywhere, func() *http.Request {
			r := request("GET", "/console/", "192.0.2.7:4567", "192.0.2.7:4567")
			r.Header.Set("Authorization", "Bearer guess")
			return r
		}, 403, "access token required"},
		{"anywhere with the bearer token", anywhere, func() *http.Request {
			r := request("GET", "/console/", "192.0.2.7:4567", "192.0.2.7:4567")
			r.Header.Set("Authorization", "Bearer s3cret")
			return r
		}, 200, ""},
		{"anywhere with the cookie", anywhere, func() *http.Request {
			r := request("GET", "/console/", "192.0.2.7:4567", "shardlog.internal:4567")
			r.AddCookie(&http.Cookie{Name: cookieName, Value: "s3cret"})
			return r
		}, 200, ""},
		{"token in the address sets the cookie", anywhere, func() *http.Request {
			return request("GET", "/console/?token=s3cret", "192.0.2.7:4567", "192.0.2.7:4567")
		}, http.StatusSeeOther, ""},
		{"a token still limits to loopback without Anywhere", tokenOnly, func() *http.Request {
			r := request("GET", "/console/", "192.0.2.7:4567", "192.0.2.7:4567")
			r.Header.Set("Authorization", "Bearer s3cret")
			return r
		}, 403, "only on a loopback listener"},
		{"loopback with a token needs it", tokenOnly, func() *http.Request {
			return request("GET", "/console/", "127.0.0.1:4567", "127.0.0.1:4567")
		}, 403, "access token required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.c.ServeHTTP(rec, tc.r())
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %q", rec.Code, tc.status, rec.Body)
			}
			if tc.says != "" && !strings.Contains(rec.Body.String(), tc.says) {
				t.Errorf("body = %q, want it to say %q", rec.Body, tc.says)
			}
			if tc.status == http.StatusSeeOther {
				ck := rec.Result().Cookies()
				if len(ck) != 1 || ck[0].Value != "s3cret" || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode {
					t.Errorf("cookies = %+v, want one HttpOnly SameSite=Strict cookie with the token", ck)
				}
				if loc := rec.Header().Get("Location"); loc != "/console/" {
					t.Errorf("Location = %q, want /console/ (the token out of the address)", loc)
				}
			}
		})
	}
}

// TestConsole_CSRF: a call carries the page's token, and a request from another site is
// refused even with it; a refused call never reaches the API.
func TestConsole_CSRF(t *testing.T) {
	c, api := mustNew(t, Options{})
	call := func(mod func(*http.Request)) *httptest.ResponseRecorder {
		r := request("POST", "/console/api/call/DeleteStream", "127.0.0.1:4567", "127.0.0.1:4567")
		mod(r)
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, r)
		return rec
	}
	for _, tc := range []struct {
		name   string
		mod    func(*http.Request)
		status int
		says   string
	}{
		{"no token", func(r *http.Request) {}, 403, "missing or wrong X-Shardlog-CSRF"},
		{"wrong token", func(r *http.Request) { r.Header.Set(csrfHeader, strings.Repeat("0", 64)) }, 403, "missing or wrong"},
		{"cross-site fetch", func(r *http.Request) {
			r.Header.Set(csrfHeader, c.csrf)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
		}, 403, "Sec-Fetch-Site cross-site"},
		{"other origin", func(r *http.Request) {
			r.Header.Set(csrfHeader, c.csrf)
			r.Header.Set("Origin", "http://attacker.example")
		}, 403, "Origin http://attacker.example"},
		{"same origin", func(r *http.Request) {
			r.Header.Set(csrfHeader, c.csrf)
			r.Header.Set("Origin", "http://127.0.0.1:4567")
			r.Header.Set("Sec-Fetch-Site", "same-origin")
		}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api.calls = nil
			rec := call(tc.mod)
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %q", rec.Code, tc.status, rec.Body)
			}
			if tc.says != "" && !strings.Contains(rec.Body.String(), tc.says) {
				t.Errorf("body = %q, want it to say %q", rec.Body, tc.says)
			}
			want := 0
			if tc.status == 200 {
				want = 1
			}
			if len(api.calls) != want {
				t.Errorf("API calls = %q, want %d", api.calls, want)
			}
		})
	}
}

// TestConsole_Page: the page carries the CSRF token, and nothing of it comes from elsewhere.
func TestConsole_Page(t *testing.T) {
	c, _ := mustNew(t, Options{})
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, request("GET", "/console/", "127.0.0.1:4567", "127.0.0.1:4567"))
	body := rec.Body.String()
	if !strings.Contains(body, `content="`+c.csrf+`"`) {
		t.Errorf("page does not carry the CSRF token %s", c.csrf)
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Errorf("page loads something from another site:\n%s", body)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("Content-Security-Policy = %q, want default-src 'self'", csp)
	}
	for _, asset := range []string{"app.js", "style.css"} {
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, request("GET", "/console/assets/"+asset, "127.0.0.1:4567", "127.0.0.1:4567"))
		if rec.Code != 200 || rec.Body.Len() == 0 {
			t.Errorf("GET /console/assets/%s = %d, %d bytes", asset, rec.Code, rec.Body.Len())
		}
		if strings.Contains(rec.Body.String(), "https://") {
			t.Errorf("%s refers to another site", asset)
		}
	}
}

// TestConsole_Call: the page runs the operations of its views, and no others.
func TestConsole_Call(t *testing.T) {
	c, api := mustNew(t, Options{})
	for _, tc := range []struct {
		op     string
		status int
	}{
		{"CreateStream", 200}, {"SplitShard", 200}, {"PutRecord", 200},
		{"PutResourcePolicy", 404}, {"RegisterStreamConsumer", 404}, {"GetRecords", 404},
	} {
		api.calls = nil
		r := request("POST", "/console/api/call/"+tc.op, "127.0.0.1:4567", "127.0.0.1:4567")
		r.Header.Set(csrfHeader, c.csrf)
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, r)
		if rec.Code != tc.status {
			t.Errorf("call %s: status %d, want %d (%s)", tc.op, rec.Code, tc.status, rec.Body)
		}
		if tc.status == 200 && (len(api.calls) != 1 || api.calls[0] != tc.op+` {"StreamName":"s"}`) {
			t.Errorf("call %s: API calls %q, want the body passed as it is", tc.op, api.calls)
		}
	}
}
