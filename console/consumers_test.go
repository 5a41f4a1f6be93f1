package console

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shardlog/shardlog/internal/metrics"
)

// TestRates_Consumers: each consumer's rates between two readings and its MillisBehindLatest
// as /metrics reports it; a consumer that appears between two readings counts from zero at
// the earlier one.
func TestRates_Consumers(t *testing.T) {
	r := newRates(10)
	t0 := time.Unix(1000, 0)
	reading := func(consumers map[string]metrics.ConsumerTotals) []metrics.Counts {
		return []metrics.Counts{{Stream: "s", Totals: metrics.Totals{OutgoingRecords: 8, IteratorAgeMs: 250}, Consumers: consumers}}
	}
	r.sample(t0, reading(nil))
	r.sample(t0.Add(2*time.Second), reading(map[string]metrics.ConsumerTotals{
		"app": {Subscriptions: 2, Events: 10, Records: 40, Bytes: 4000, MillisBehindLatestMaxMs: 1500}}))
	r.sample(t0.Add(4*time.Second), reading(map[string]metrics.ConsumerTotals{
		"app":   {Subscriptions: 2, Events: 14, Records: 50, Bytes: 5000, MillisBehindLatestMaxMs: 1500},
		"audit": {Subscriptions: 1, Events: 1, MillisBehindLatestMaxMs: 0}}))
	ch := r.chart("s", 2*time.Second)
	want := map[string]consumerPoint{
		"app":   {At: 1004000, Events: 2, Records: 5, Bytes: 500, MillisBehindLatestMaxMs: 1500, Subscriptions: 2},
		"audit": {At: 1004000, Events: 0.5, Subscriptions: 1},
	}
	if len(ch.Consumers) != len(want) || ch.Consumers["app"] != want["app"] || ch.Consumers["audit"] != want["audit"] {
		t.Errorf("consumers = %+v, want %+v", ch.Consumers, want)
	}

	c, _ := mustNew(t, Options{Counts: func() []metrics.Counts { return nil }})
	c.rates = r
	w := httptest.NewRecorder()
	c.ServeHTTP(w, request("GET", "/console/api/rates?stream=s", "127.0.0.1:4567", "127.0.0.1:4567"))
	var got struct {
		Chart struct{ Consumers map[string]json.RawMessage }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("GET /console/api/rates: %d %s: %v", w.Code, w.Body, err)
	}
	if a := string(got.Chart.Consumers["app"]); a != "[1004000,2.00,5.00,500.00,1500,2]" {
		t.Errorf("app in /console/api/rates = %s, want [1004000,2.00,5.00,500.00,1500,2]", a)
	}

	r.sample(t0.Add(6*time.Second), reading(map[string]metrics.ConsumerTotals{"app": {Events: 14}}))
	if got := r.chart("s", 2*time.Second).Consumers; len(got) != 1 {
		t.Errorf("consumers once audit is no longer counted = %+v, want app only", got)
	}
	r.sample(t0.Add(8*time.Second), reading(nil))
	if got := r.chart("s", 2*time.Second).Consumers; got != nil {
		t.Errorf("consumers once none is counted = %+v, want none", got)
	}
}
