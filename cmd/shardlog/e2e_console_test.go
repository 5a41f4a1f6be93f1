package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kpl"
)

// The web console in a real browser: headless Chromium driven through the DevTools
// protocol (chromedp), against `shardlog serve` on loopback.

// chromiumPath finds the browser: Debian's chromium package, or another Chromium or Chrome
// on PATH.
func chromiumPath() string {
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts headless Chromium at 1280×800 with a fresh profile and returns the
// context of its first tab, bounded by limit. Cleanup ends the browser and waits for every
// process of it to exit.
func newBrowser(t testing.TB, limit time.Duration) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" && os.Getenv("SHARDLOG_REQUIRE_E2E") == "1" {
		t.Fatal("Chromium is required (SHARDLOG_REQUIRE_E2E=1) but missing: apt-get install chromium")
	} else if path == "" {
		t.Skip("Chromium is missing; install it (apt-get install chromium) or set SHARDLOG_REQUIRE_E2E=1 to make this a failure")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	ctx, cancelLimit := context.WithTimeout(ctx, limit)
	t.Cleanup(func() {
		cancelLimit()
		cancelTab()
		cancelAlloc() // waits for the browser process to exit
	})
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)), "start Chromium at %s", path)
	return ctx
}

// screenshotDir is where the browser tests leave their screenshots: $SHARDLOG_ARTIFACTS/console
// when set (CI keeps it), else a fixed directory under the system's temporary directory.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "shardlog-console-screenshots")
	if a := os.Getenv("SHARDLOG_ARTIFACTS"); a != "" {
		dir = filepath.Join(a, "console")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	t.Logf("console screenshots in %s", dir)
	return dir
}

// screenshot saves the browser's viewport as dir/name, without the last action's notice.
func screenshot(dir, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.Evaluate[chromedp.Void](`{ const n = document.getElementById("toast"); n.style.transition = "none"; n.className = ""; }`)(ctx, t); err != nil {
			return err
		}
		png, err := chromedp.CaptureScreenshot()(ctx, t)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), png, 0o644)
	})
}

// fetchText returns the body of a GET, or the error, for a failure message.
func fetchText(t *testing.T, url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// waitJS polls a JavaScript expression in the page until it is true, for at most limit.
func waitJS(expr string, limit time.Duration) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(limit), chromedp.WithPollingInterval(25*time.Millisecond))
}

// text reads the text of the first element sel matches.
func text(ctx context.Context, t *testing.T, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	require.NoError(t, err, "text of %s", sel)
	return s
}

// TestConsole_Browser walks through the console as a user would: create a stream from the
// page and see it ACTIVE; put records with the AWS SDK, JSON and a KPL aggregate, and see
// them in the live view, decoded; split a shard from the page and see the hash-key bands
// and the lineage change; delete the stream after the confirmation that names it.
func TestConsole_Browser(t *testing.T) {
	skipShort(t)
	ctx := newBrowser(t, 50*time.Second)
	shots := screenshotDir(t)
	srv := startServer(t, t.TempDir(), "--register-consumer-delay", "0")
	client := newClient(srv.Endpoint)
	const name = "orders"
	row := fmt.Sprintf(`document.querySelector('tr[data-stream="%s"]')`, name)

	t.Run("create", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.Endpoint+"/console/"),
			chromedp.WaitVisible(chromedp.CSS(`#create-form`)),
			chromedp.SendKeys(chromedp.CSS(`#new-name`), name),
			chromedp.SetValue(chromedp.CSS(`#new-shards`), "2"),
			chromedp.Click(chromedp.CSS(`#create-btn`)),
			waitJS(row+`?.querySelector('.status')?.textContent === "ACTIVE"`, 10*time.Second),
		))
		out, err := client.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		require.NoError(t, err)
		require.EqualValues(t, 2, *out.StreamDescriptionSummary.OpenShardCount, "open shards of the stream the page created")
	})

	t.Run("live", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.Endpoint+"/console/#/stream/"+name+"/live"),
			waitJS(`(document.querySelector('#live-state')?.textContent || "").includes("reading 2 shards")`, 10*time.Second),
		))
		put := time.Now()
		for i := range 5 {
			_, err := client.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(name),
				PartitionKey: aws.String(fmt.Sprintf("customer-%d", i)), Data: []byte(fmt.Sprintf(`{"order":%d,"item":"book"}`, i))})
			require.NoError(t, err)
		}
		agg, err := kpl.Aggregate([]kpl.Record{{PartitionKey: "kpl-a", Data: []byte("first user record")},
			{PartitionKey: "kpl-b", Data: []byte("second user record")}})
		require.NoError(t, err)
		_, err = client.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(name),
			PartitionKey: aws.String("kpl"), Data: agg})
		require.NoError(t, err)

		require.NoError(t, chromedp.Do(ctx,
			waitJS(`document.querySelectorAll('#records .rec[data-format="json"]').length === 5 &&
				document.querySelectorAll('#records .rec[data-key^="kpl-"]').length === 2`, 5*time.Second),
		))
		order3 := text(ctx, t, `#records .rec[data-key="customer-3"] pre`)
		t.Logf("records shown %v after the first put", time.Since(put).Round(time.Millisecond))
		require.Equal(t, "{\n  \"order\": 3,\n  \"item\": \"book\"\n}", order3, "record 3 as the live view shows it")
		second := text(ctx, t, `#records .rec[data-key="kpl-b"] pre`)
		require.NoError(t, chromedp.Do(ctx, screenshot(shots, "console-live.png")))
		require.Equal(t, "second user record", second, "the second user record of the KPL aggregate")

		// Paused, the view holds what arrives; resumed, it shows it. The filter hides the
		// records that have neither the key nor the text.
		require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#live-pause`))))
		_, err = client.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(name),
			PartitionKey: aws.String("while-paused"), Data: []byte("held")})
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(ctx,
			waitJS(`document.querySelector('#live-state').textContent.includes("paused, 1 held")`, 5*time.Second)))
		require.Equal(t, "Resume", text(ctx, t, `#live-pause`), "the pause button, paused")
		require.NoError(t, chromedp.Do(ctx,
			waitJS(`document.querySelector('#records .rec[data-key="while-paused"]') === null`, time.Second),
			chromedp.Click(chromedp.CSS(`#live-pause`)),
			waitJS(`document.querySelector('#records .rec[data-key="while-paused"]') !== null`, 5*time.Second),
			chromedp.SendKeys(chromedp.CSS(`#live-filter`), "book"),
			waitJS(`[...document.querySelectorAll('#records .rec')].filter((r) => !r.hidden).length === 5`, 5*time.Second),
			chromedp.Evaluate[chromedp.Void](`{
				const f = document.querySelector('#live-filter');
				f.value = "";
				f.dispatchEvent(new Event("input"));
			}`),
			waitJS(`[...document.querySelectorAll('#records .rec')].every((r) => !r.hidden)`, time.Second),
		))

		// A split while the view is open: it reads the parent to its end, then its children.
		_, err = client.SplitShard(context.Background(), &kinesis.SplitShardInput{StreamName: aws.String(name),
			ShardToSplit: aws.String("shardId-000000000001"), NewStartingHashKey: aws.String("255211775190703847597530955573826158592")})
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(ctx,
			waitJS(`document.querySelector('#live-state').textContent.includes("reading 3 shards")`, 10*time.Second)))
		waitActive(t, client, name)
		_, err = client.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(name),
			PartitionKey: aws.String("after-split"), ExplicitHashKey: aws.String("340282366920938463463374607431768211455"),
			Data: []byte(`{"after":"split"}`)})
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(ctx,
			waitJS(`document.querySelector('#records .rec[data-key="after-split"]') !== null`, 5*time.Second)))
		require.Contains(t, text(ctx, t, `#records .rec[data-key="after-split"] .meta.mono`), "shardId-000000000003",
			"the record put after the split comes from the child that holds the top of the hash-key space")
	})

	t.Run("charts", func(t *testing.T) {
		// The charts sample the counters of /metrics every 2 s: the records put above show
		// as incoming records/s once two readings straddle them.
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.Endpoint+"/console/#/stream/"+name+"/charts"),
			waitJS(`Number(document.querySelector('#charts svg.chart')?.dataset.peak) > 0`, 10*time.Second),
			screenshot(shots, "console-charts.png"),
		), "charts; rates now: %s", fetchText(t, srv.Endpoint+"/console/api/rates?stream="+name))

		// An enhanced fan-out consumer subscribes: the readers table shows it beside the
		// GetRecords readers, with the events pushed to it and its MillisBehindLatest.
		ctx2 := context.Background()
		reg, err := client.RegisterStreamConsumer(ctx2, &kinesis.RegisterStreamConsumerInput{
			StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/" + name), ConsumerName: aws.String("dashboard")})
		require.NoError(t, err)
		sctx, cancel := context.WithTimeout(ctx2, 30*time.Second)
		defer cancel()
		sub, err := newClient(srv.Endpoint).SubscribeToShard(sctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN,
			ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
		require.NoError(t, err)
		defer sub.GetStream().Close()
		_, ok := (<-sub.GetStream().Events()).(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		require.True(t, ok, "the first event of the subscription: %v", sub.GetStream().Err())
		consumer := `#readers-body tr[data-consumer="dashboard"]`
		require.NoError(t, chromedp.Do(ctx,
			waitJS(`document.querySelector('`+consumer+`') !== null`, 10*time.Second),
		), "consumer row; rates now: %s", fetchText(t, srv.Endpoint+"/console/api/rates?stream="+name))
		require.Regexp(t, `^\d+ ms$`, text(ctx, t, consumer+` .behind`), "MillisBehindLatest of the consumer")
		require.Regexp(t, `^\d+ ms$`, text(ctx, t, `#readers-body tr[data-reader="GetRecords"] .behind`), "iterator age of the GetRecords readers")
		require.Equal(t, "1", text(ctx, t, consumer+` td:nth-child(2)`), "open subscriptions of the consumer")
		require.NoError(t, chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS(`#readers`)), screenshot(shots, "console-consumers.png")))

		// Shard-level metrics on from the page: a chart per shard, and rates in the shard table.
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`#enable-shard-metrics`)),
			waitJS(`(document.querySelector('#summary')?.textContent || "").includes("Shard-level metricsall (7)")`, 5*time.Second),
		))
		_, err = client.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(name),
			PartitionKey: aws.String("per-shard"), Data: []byte(`{"per":"shard"}`)})
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(ctx,
			waitJS(`document.querySelectorAll('#chart-shard option').length > 1`, 10*time.Second),
			chromedp.Navigate(srv.Endpoint+"/console/#/stream/"+name+"/shards"),
			waitJS(`[...document.querySelectorAll('#shards-body .rate-in')].some((td) => td.textContent !== "–")`, 10*time.Second),
		), "per-shard rates; rates now: %s", fetchText(t, srv.Endpoint+"/console/api/rates?stream="+name))
	})

	t.Run("split", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.Endpoint+"/console/#/stream/"+name+"/shards"),
			waitJS(`document.querySelector('#bands')?.dataset.count === "3"`, 10*time.Second),
			chromedp.Click(chromedp.CSS(`#bands rect[data-shard="shardId-000000000000"]`)),
			waitJS(`document.querySelector('#selected-shard').textContent === "shardId-000000000000"`, 5*time.Second),
			chromedp.Click(chromedp.CSS(`#split-btn`)),
			waitJS(`document.querySelector('#bands').dataset.count === "4" &&
				document.querySelector('#lineage').dataset.closed === "2" &&
				document.querySelectorAll('#lineage .edge').length === 4 &&
				document.querySelectorAll('#lineage .node.closed').length === 2`, 10*time.Second),
			chromedp.Navigate(srv.Endpoint+"/console/#/"),
			waitJS(row+`?.querySelector('.status')?.textContent === "ACTIVE"`, 10*time.Second),
			chromedp.Navigate(srv.Endpoint+"/console/#/stream/"+name+"/shards"),
			waitJS(`document.querySelector('#bands')?.dataset.count === "4"`, 10*time.Second),
			screenshot(shots, "console-shards.png"),
		))
		// What each shard holds: the nine records put above (the KPL aggregate is one
		// Kinesis record) among the shards, the one put after the first split in the child
		// at the top of the hash-key space, with its arrival time.
		records := `[...document.querySelectorAll('#shards-body .held-records')].reduce((n, td) => n + (Number(td.textContent) || 0), 0)`
		require.NoError(t, chromedp.Do(ctx, waitJS(records+` === 9`, 5*time.Second)),
			"records in the shard table; figures now: %s", fetchText(t, srv.Endpoint+"/console/api/shards?stream="+name))
		child := `#shards-body tr[data-shard="shardId-000000000003"] `
		require.NotEqual(t, "–", text(ctx, t, child+`.held-first`), "first arrival of shardId-000000000003")
		require.NotEqual(t, "–", text(ctx, t, child+`.held-last`), "last arrival of shardId-000000000003")
		require.NotEqual(t, "–", text(ctx, t, child+`.held-bytes`), "bytes of shardId-000000000003")
		out, err := client.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(name)})
		require.NoError(t, err)
		require.Len(t, out.Shards, 6, "shards after two splits: two parents and four children")
	})

	t.Run("narrow", func(t *testing.T) {
		// On a phone-wide window every view fits its width: wide tables scroll in their box.
		fits := `document.documentElement.scrollWidth <= window.innerWidth`
		require.NoError(t, chromedp.Do(ctx,
			chromedp.EmulateViewport(400, 800),
			chromedp.Navigate(srv.Endpoint+"/console/#/"),
			waitJS(row+` !== null && `+fits, 5*time.Second),
			chromedp.Navigate(srv.Endpoint+"/console/#/stream/"+name+"/shards"),
			waitJS(`document.querySelector('#bands')?.dataset.count === "4" && `+fits, 5*time.Second),
			screenshot(shots, "console-narrow.png"),
			chromedp.Navigate(srv.Endpoint+"/console/#/stream/"+name+"/live"),
			waitJS(`document.querySelector('#live-state')?.textContent.includes("reading") && `+fits, 5*time.Second),
			chromedp.EmulateViewport(1280, 800),
		))
	})

	t.Run("delete", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.Endpoint+"/console/#/"),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`button[data-delete="%s"]`, name))),
			screenshot(shots, "console-streams.png"),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-delete="%s"]`, name))),
			chromedp.WaitVisible(chromedp.CSS(`#confirm-ok`)),
		))
		require.Contains(t, text(ctx, t, `#confirm-text`), "“"+name+"”", "the confirmation names the stream")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`#confirm-ok`)),
			waitJS(row+` === null`, 10*time.Second),
		))
		_, err := client.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		require.Error(t, err)
		require.True(t, strings.Contains(err.Error(), "ResourceNotFoundException"), "DescribeStreamSummary after the delete: %v", err)
	})
}
