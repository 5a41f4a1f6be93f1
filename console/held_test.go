package console

import (
	"fmt"
	"net/http/httptest"
	"testing"
)

func TestConsole_Held(t *testing.T) {
	held := func(stream string) ([]ShardHeld, error) {
		switch stream {
		case "s":
			return []ShardHeld{
				{ShardID: "shardId-000000000000", Records: 2, Bytes: 180, FirstArrivalMs: 1700000000000, LastArrivalMs: 1700000001000},
				{ShardID: "shardId-000000000001", Bytes: 28},
				{ShardID: "shardId-000000000002", Error: "shard: damaged"},
			}, nil
		case "broken":
			return nil, fmt.Errorf("store closed")
		}
		return nil, fmt.Errorf("%w: Stream %s not found", ErrNoStream, stream)
	}
	with, _ := mustNew(t, Options{Held: held})
	without, _ := mustNew(t, Options{})
	for _, tc := range []struct {
		name   string
		c      *Console
		stream string
		status int
		body   string
	}{
		{"figures", with, "s", 200, `{"Enabled":true,"Shards":[` +
			`{"ShardID":"shardId-000000000000","Records":2,"Bytes":180,"FirstArrivalMs":1700000000000,"LastArrivalMs":1700000001000},` +
			`{"ShardID":"shardId-000000000001","Records":0,"Bytes":28,"FirstArrivalMs":0,"LastArrivalMs":0},` +
			`{"ShardID":"shardId-000000000002","Records":0,"Bytes":0,"FirstArrivalMs":0,"LastArrivalMs":0,"Error":"shard: damaged"}]}`},
		{"no such stream", with, "nope", 404, `{"Error":"console: no such stream: Stream nope not found"}`},
		{"the engine fails", with, "broken", 500, `{"Error":"store closed"}`},
		{"no figures without Options.Held", without, "s", 200, `{"Enabled":false,"Shards":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tc.c.ServeHTTP(w, request("GET", "/console/api/shards?stream="+tc.stream, "127.0.0.1:4567", "127.0.0.1:4567"))
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("GET /console/api/shards?stream=%s = %d %s, want %d %s", tc.stream, w.Code, w.Body, tc.status, tc.body)
			}
		})
	}
}
