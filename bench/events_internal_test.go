package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The payloads of the compression benchmarks: JSON events as applications send them to
// Kinesis, made up by a seeded generator (the same seed gives the same bytes), and random
// bytes as the case no codec helps. Every payload is 200 to 500 bytes.

// payloadKind names a kind of generated payload.
type payloadKind string

const (
	clickstream payloadKind = "clickstream" // web analytics events, one per page view or click
	logLine     payloadKind = "logline"     // structured service logs with trace ids
	randomBytes payloadKind = "random"      // uniform random bytes
)

const (
	minEventBytes = 200
	maxEventBytes = 500
)

// eventGen makes the payloads and partition keys of one kind from a seed.
type eventGen struct {
	kind payloadKind
	rng  *rand.Rand
	t    int64 // event time, ms since the Unix epoch; rises a little per event
}

func newEventGen(kind payloadKind, seed uint64) *eventGen {
	return &eventGen{kind: kind, rng: rand.New(rand.NewPCG(seed, 0x5eed)), t: 1_796_000_000_000}
}

// next returns the partition key and payload of the next event.
func (g *eventGen) next() (key, data []byte) {
	g.t += int64(g.rng.IntN(40))
	for {
		switch g.kind {
		case clickstream:
			key, data = g.click()
		case logLine:
			key, data = g.logLine()
		default:
			key, data = g.random()
		}
		if len(data) >= minEventBytes && len(data) <= maxEventBytes {
			return key, data
		}
	}
}

// pick returns a random element of s.
func pick[T any](g *eventGen, s []T) T { return s[g.rng.IntN(len(s))] }

// hex returns n random lower-case hex digits.
func (g *eventGen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}

// timestamp formats g.t as RFC 3339 with milliseconds, in UTC.
func (g *eventGen) timestamp() string {
	const day = 86_400_000
	ms := g.t % day
	return fmt.Sprintf("2026-12-%02dT%02d:%02d:%02d.%03dZ", 1+g.t/day%28, ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}

var (
	clickEvents   = []string{"page_view", "page_view", "page_view", "click", "click", "add_to_cart", "search", "purchase"}
	clickPages    = []string{"/", "/products/shoes", "/products/shoes/running", "/products/jackets", "/cart", "/checkout", "/search", "/account/orders"}
	clickRefs     = []string{"", "https://www.google.com/", "https://www.bing.com/search?q=running+shoes", "https://t.co/x7Yq2", "https://news.example.org/article/4412"}
	clickDevices  = []string{`"mobile","os":"iOS 18.1","browser":"Safari"`, `"mobile","os":"Android 15","browser":"Chrome"`, `"desktop","os":"Windows 11","browser":"Edge"`, `"desktop","os":"macOS 15","browser":"Firefox"`}
	clickCountry  = []string{"US", "US", "DE", "GB", "FR", "BR", "IN", "JP"}
	logServices   = []string{"checkout", "catalog", "auth", "payments", "search"}
	logLevels     = []string{"info", "info", "info", "info", "debug", "warn", "error"}
	logMethods    = []string{"GET", "GET", "GET", "POST", "PUT", "DELETE"}
	logPaths      = []string{"/api/v1/orders", "/api/v1/items", "/api/v1/users/me", "/api/v1/cart", "/healthz", "/api/v2/search"}
	logMessages   = []string{"request completed", "request completed", "cache miss, loading from database", "retrying upstream call", "slow query"}
	logStatuses   = []int{200, 200, 200, 200, 201, 204, 304, 400, 404, 500, 503}
	logUserAgents = []string{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15", "okhttp/4.12.0", "aws-sdk-go-v2/1.32.0", "python-requests/2.32.3"}
)

// click is a web analytics event: an event id, a user and session, a page, a device.
func (g *eventGen) click() (key, data []byte) {
	user := fmt.Sprintf("u-%07d", g.rng.IntN(200_000))
	ev := pick(g, clickEvents)
	props := ""
	switch ev {
	case "add_to_cart", "purchase":
		props = fmt.Sprintf(`,"properties":{"sku":"SKU-%05d","price":%d.%02d,"qty":%d,"currency":"USD"}`,
			g.rng.IntN(50_000), 5+g.rng.IntN(200), g.rng.IntN(100), 1+g.rng.IntN(3))
	case "search":
		props = fmt.Sprintf(`,"properties":{"query":"%s","results":%d}`, pick(g, []string{"running shoes", "rain jacket", "socks", "trail shoes size 44"}), g.rng.IntN(300))
	}
	data = fmt.Appendf(nil, `{"event_id":"%s-%s-%s","ts":"%s","event":"%s","user_id":"%s","session_id":"%s","page":"%s","referrer":"%s","device":{"type":%s},"geo":{"country":"%s"}%s}`,
		g.hex(8), g.hex(4), g.hex(12), g.timestamp(), ev, user, g.hex(16), pick(g, clickPages),
		pick(g, clickRefs), pick(g, clickDevices), pick(g, clickCountry), props)
	return []byte(user), data
}

// logLine is a structured access log line of a service, with trace and span ids.
func (g *eventGen) logLine() (key, data []byte) {
	svc := pick(g, logServices)
	host := fmt.Sprintf("ip-10-0-%d-%d", g.rng.IntN(8), g.rng.IntN(256))
	data = fmt.Appendf(nil, `{"ts":"%s","level":"%s","service":"%s","host":"%s","trace_id":"%s","span_id":"%s","msg":"%s","http":{"method":"%s","path":"%s/%d","status":%d,"duration_ms":%d.%d,"bytes":%d},"user_agent":"%s"}`,
		g.timestamp(), pick(g, logLevels), svc, host, g.hex(32), g.hex(16), pick(g, logMessages),
		pick(g, logMethods), pick(g, logPaths), g.rng.IntN(100_000), pick(g, logStatuses),
		g.rng.IntN(900), g.rng.IntN(10), g.rng.IntN(60_000), pick(g, logUserAgents))
	return []byte(host), data
}

// random is minEventBytes to maxEventBytes of random bytes under a random 16-digit key.
func (g *eventGen) random() (key, data []byte) {
	data = make([]byte, minEventBytes+g.rng.IntN(maxEventBytes-minEventBytes+1))
	for i := range data {
		data[i] = byte(g.rng.Uint32())
	}
	return []byte(g.hex(16)), data
}

func TestEventGen(t *testing.T) {
	for _, kind := range []payloadKind{clickstream, logLine, randomBytes} {
		t.Run(string(kind), func(t *testing.T) {
			a, b := newEventGen(kind, 7), newEventGen(kind, 7)
			total := 0
			for i := range 2000 {
				ka, da := a.next()
				kb, db := b.next()
				require.Equal(t, string(ka), string(kb), "event %d key: same seed, same bytes", i)
				require.Equal(t, string(da), string(db), "event %d data: same seed, same bytes", i)
				require.True(t, len(da) >= minEventBytes && len(da) <= maxEventBytes, "event %d is %d bytes", i, len(da))
				if kind != randomBytes {
					require.True(t, json.Valid(da), "event %d is not JSON: %s", i, da)
				}
				total += len(da)
			}
			t.Logf("%s: mean %d bytes", kind, total/2000)
			_, d1 := newEventGen(kind, 8).next()
			_, d0 := newEventGen(kind, 7).next()
			require.NotEqual(t, string(d0), string(d1), "another seed gives other events")
		})
	}
}
