package metrics

import (
	"testing"
	"time"
)

func TestScope_Read(t *testing.T) {
	m := New(Options{})
	sc := m.Scope("000000000000", "us-east-1")
	a := sc.Stream("a", func() []string { return []string{"ALL"} })
	b := sc.Stream("b", func() []string { return nil })
	a.PutRecord("shardId-000000000000", 10, time.Millisecond, nil)
	a.GetRecords("shardId-000000000000", 1, 10, 250, time.Millisecond, nil)
	b.PutRecords(PutRecordsCall{Records: 3, Failed: 1, Bytes: 20})
	app := a.Consumer("app")
	app.Subscribed(nil)
	app.Open()
	app.Event(4, 40, 1200)
	app.Event(0, 0, 300)

	got := sc.Read()
	if len(got) != 2 || got[0].Stream != "a" || got[1].Stream != "b" {
		t.Fatalf("Read() streams = %+v, want a then b", got)
	}
	want := Totals{IncomingBytes: 10, IncomingRecords: 1, OutgoingBytes: 10, OutgoingRecords: 1, IteratorAgeMs: 250}
	if got[0].Totals != want {
		t.Errorf("Read() a = %+v, want %+v", got[0].Totals, want)
	}
	if sh := got[0].Shards["shardId-000000000000"]; sh != want {
		t.Errorf("Read() a's shard = %+v, want %+v", sh, want)
	}
	wantApp := ConsumerTotals{Subscriptions: 1, Events: 2, Records: 4, Bytes: 40, MillisBehindLatestMaxMs: 1200}
	if len(got[0].Consumers) != 1 || got[0].Consumers["app"] != wantApp {
		t.Errorf("Read() a's consumers = %+v, want app: %+v", got[0].Consumers, wantApp)
	}
	if got[1].Consumers != nil {
		t.Errorf("Read() b's consumers = %+v, want none", got[1].Consumers)
	}
	if got[1].IncomingRecords != 2 || got[1].IncomingBytes != 20 || got[1].Shards != nil {
		t.Errorf("Read() b = %+v, want 2 records, 20 bytes, no shards", got[1])
	}
}
