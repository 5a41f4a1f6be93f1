package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shardlog/shardlog/console"
	"github.com/shardlog/shardlog/internal/metrics"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// consoleServer is a server with its console on a loopback port, over a store in a
// temporary directory, as serve wires them.
func consoleServer(b *testing.B) string {
	b.Helper()
	store, err := streambackend.Open(fastDir(b), stream.Options{Region: "us-east-1", Account: "000000000000",
		ShardLimit: 5000, Logger: slog.New(slog.DiscardHandler), Shard: shard.Options{Sync: shard.SyncNone}})
	if err != nil {
		b.Fatal(err)
	}
	store.CountInto(metrics.New(metrics.Options{}))
	con, err := console.New(console.Options{Counts: store.DefaultCounts, Usage: store.Usage, Held: consoleHeld(store),
		Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		b.Fatal(err)
	}
	srv := server.New(store, server.Options{Console: con, Logger: slog.New(slog.DiscardHandler)})
	con.Bind(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	b.Cleanup(func() {
		srv.Shutdown(context.Background())
		store.Close()
	})
	return "http://" + ln.Addr().String()
}

// fastDir is a temporary directory in memory (/dev/shm) when there is one: making a stream
// of 1,000 shards on a disk shared with other work can take a minute of directory syncs,
// none of which the page load measures.
func fastDir(b *testing.B) string {
	b.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		dir, err := os.MkdirTemp("/dev/shm", "shardlog-bench-")
		if err == nil {
			b.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return b.TempDir()
}

var csrfRE = regexp.MustCompile(`name="shardlog-csrf" content="([0-9a-f]+)"`)

// loadStreamView makes the requests the page makes to open a stream's Shards tab: the
// page and its assets, the Streams list it starts on, then the stream's summary, every
// shard (ListShards), its charts and what each shard holds.
func loadStreamView(b *testing.B, c *http.Client, base, name string) {
	b.Helper()
	page := fetch(b, c, "GET", base+"/console/", "", "")
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		b.Fatalf("no CSRF token in the page:\n%s", page)
	}
	fetch(b, c, "GET", base+"/console/assets/app.js", "", "")
	fetch(b, c, "GET", base+"/console/assets/style.css", "", "")
	fetch(b, c, "GET", base+"/console/api/streams", "", "")
	body := fmt.Sprintf(`{"StreamName":%q}`, name)
	fetch(b, c, "POST", base+"/console/api/call/DescribeStreamSummary", body, m[1])
	shards := fetch(b, c, "POST", base+"/console/api/call/ListShards", fmt.Sprintf(`{"StreamName":%q,"MaxResults":10000}`, name), m[1])
	if strings.Contains(shards, "NextToken") {
		b.Fatal("ListShards answered in pages; the page load would make more calls")
	}
	fetch(b, c, "GET", base+"/console/api/rates?stream="+name, "", "")
	if held := fetch(b, c, "GET", base+"/console/api/shards?stream="+name, "", ""); !strings.Contains(held, `"Enabled":true`) {
		b.Fatalf("no shard figures: %.200s", held)
	}
}

func fetch(b *testing.B, c *http.Client, method, url, body, csrf string) string {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	if csrf != "" {
		req.Header.Set("X-Shardlog-CSRF", csrf)
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("%s %s: %d %v %.300s", method, url, resp.StatusCode, err, out)
	}
	return string(out)
}

// BenchmarkConsole_PageLoad measures the server's side of opening a stream in the console:
// every request the page makes, for a stream of 1,000 shards beside others.
func BenchmarkConsole_PageLoad(b *testing.B) {
	for _, shards := range []int{10, 1000} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			base := consoleServer(b)
			c := &http.Client{}
			name := "big"
			csrf := csrfRE.FindStringSubmatch(fetch(b, c, "GET", base+"/console/", "", ""))[1]
			fetch(b, c, "POST", base+"/console/api/call/CreateStream", fmt.Sprintf(`{"StreamName":%q,"ShardCount":%d}`, name, shards), csrf)
			for i := range 4 {
				fetch(b, c, "POST", base+"/console/api/call/CreateStream", fmt.Sprintf(`{"StreamName":"small-%d","ShardCount":2}`, i), csrf)
			}
			b.ReportAllocs()
			for b.Loop() {
				loadStreamView(b, c, base, name)
			}
		})
	}
}

// BenchmarkConsole_BrowserPageLoad measures what a user waits for: headless Chromium
// opening a stream's Shards tab until the hash-key bands and the lineage show every shard
// and the table its first 200 (the rest come with a button).
func BenchmarkConsole_BrowserPageLoad(b *testing.B) {
	for _, shards := range []int{10, 1000} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			ctx := newBrowser(b, 5*time.Minute)
			base := consoleServer(b)
			c := &http.Client{}
			csrf := csrfRE.FindStringSubmatch(fetch(b, c, "GET", base+"/console/", "", ""))[1]
			fetch(b, c, "POST", base+"/console/api/call/CreateStream", fmt.Sprintf(`{"StreamName":"big","ShardCount":%d}`, shards), csrf)
			drawn := fmt.Sprintf(`document.querySelector('#bands')?.dataset.count === "%d" &&
				document.querySelector('#lineage')?.dataset.shards === "%[1]d" &&
				document.querySelectorAll('#shards-body tr').length === %d`, shards, min(shards, 200))
			n := 0
			for b.Loop() {
				n++ // a new address each time, so that every load is a whole one
				if err := chromedp.Do(ctx,
					chromedp.Navigate(fmt.Sprintf("%s/console/?load=%d#/stream/big/shards", base, n)),
					waitJS(drawn, time.Minute),
				); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
