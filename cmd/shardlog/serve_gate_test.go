package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/stream"
)

// parseGate parses serve flags and the environment and resolves the gate.
func parseGate(t *testing.T, args ...string) (serveConfig, error) {
	t.Helper()
	var cfg serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.flags(fs)
	require.NoError(t, fs.Parse(args))
	require.NoError(t, applyEnv(fs))
	return cfg, cfg.resolveGate()
}

func TestServeConfig_Gate_Off(t *testing.T) {
	cfg, err := parseGate(t)
	require.NoError(t, err)
	require.Nil(t, cfg.gate, "no gate without --limits and --inject")
	var so stream.Options
	var o server.Options
	cfg.gate.apply(&so, &o)
	require.Nil(t, so.Gate, "a store without limits is asked nothing")
	require.Nil(t, o.Admit, "a server without limits is asked nothing")
	require.Zero(t, so.MaxStreamsChanging)
}

func TestServeConfig_Gate_Errors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown limits", []string{"--limits", "gcp"}, `--limits "gcp": want none or aws`},
		{"streams without limits", []string{"--limits-streams", "a"}, "--limits-streams needs --limits aws"},
		{"bad rule", []string{"--inject", "GetRecords:InternalFailure"},
			`--inject: inject: "GetRecords:InternalFailure": want OPERATION:ERROR:FRACTION`},
		{"bad fraction", []string{"--inject", "GetRecords:InternalFailure:2"},
			`--inject: inject: "GetRecords:InternalFailure:2": fraction "2" is not a number in (0, 1]`},
		{"bad operation", []string{"--inject", "GetRecord:InternalFailure:0.1"},
			`unknown operation "GetRecord"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseGate(t, tt.args...)
			require.ErrorContains(t, err, tt.want)
		})
	}
	// The command refuses them with exit code 2 and says why.
	var out, errOut bytes.Buffer
	require.Equal(t, 2, run([]string{"serve", "--inject", "PutRecords:Oops:0.1"}, &out, &errOut))
	require.Contains(t, errOut.String(), `shardlog serve: --inject: inject: "PutRecords:Oops:0.1": error "Oops" is not one of`)
}

func TestServeConfig_Gate_Env(t *testing.T) {
	t.Setenv("SHARDLOG_LIMITS", "aws")
	t.Setenv("SHARDLOG_INJECT", "ListStreams:LimitExceededException:1")
	t.Setenv("SHARDLOG_INJECT_SEED", "42")
	cfg, err := parseGate(t)
	require.NoError(t, err)
	require.NotNil(t, cfg.gate.meter)
	require.NotNil(t, cfg.gate.faults)
	require.Equal(t, uint64(42), cfg.injectSeed)
	var so stream.Options
	var o server.Options
	cfg.gate.apply(&so, &o)
	require.NotNil(t, so.Gate)
	require.NotNil(t, o.Admit)
	require.Equal(t, 5, so.MaxStreamsChanging)
}

func TestGate_Admit(t *testing.T) {
	clock := testutil.NewClock(1_700_000_000_000)
	cfg, err := parseGate(t, "--limits", "aws", "--limits-streams", "a,b",
		"--inject", "DeleteStream@b:InternalFailure:1,PutRecords:ProvisionedThroughputExceededException:1,GetRecords:InternalFailure:1")
	require.NoError(t, err)
	gt, _, err := cfg.gates.build("123456789012", clock.Now)
	require.NoError(t, err)
	ctx := context.Background()
	requireErr := func(err error, typ, msg string) {
		t.Helper()
		var ke *kinesis.Error
		require.ErrorAs(t, err, &ke)
		require.Equal(t, typ, ke.Type)
		require.Equal(t, msg, ke.Message)
	}
	// DescribeStream: 10 a second for the account, with the stream's name in the message.
	for range 10 {
		require.NoError(t, gt.admit(ctx, "DescribeStream", "a"))
	}
	requireErr(gt.admit(ctx, "DescribeStream", "b"), kinesis.TypeLimitExceeded, "Rate exceeded for stream b under account 123456789012.")
	require.NoError(t, gt.admit(ctx, "DescribeStream", "other"), "a stream outside --limits-streams is not metered")
	require.NoError(t, gt.admit(ctx, "DescribeLimits", ""))
	requireErr(gt.admit(ctx, "DescribeLimits", ""), kinesis.TypeLimitExceeded, "Rate exceeded for account 123456789012.")
	clock.Advance(time.Second)
	require.NoError(t, gt.admit(ctx, "DescribeLimits", ""))

	// Injected whole-call failures; those of the shard operations are left to the store.
	requireErr(gt.admit(ctx, "DeleteStream", "b"), kinesis.TypeInternalFailure, "")
	require.NoError(t, gt.admit(ctx, "DeleteStream", "a"))
	requireErr(gt.admit(ctx, "PutRecords", "a"), kinesis.TypeProvisionedThroughputExceeded,
		"Rate exceeded for stream a under account 123456789012.")
	require.NoError(t, gt.admit(ctx, "GetRecords", ""))
	require.Equal(t, kinesis.TypeInternalFailure, gt.Read(stream.GateShard{Stream: "a", ShardID: "shardId-000000000000"}))

	// The records of PutRecords answer to PutRecords.Records, not to PutRecords.
	require.Empty(t, gt.Write("PutRecords", stream.GateShard{Stream: "a", ShardID: "shardId-000000000000"}, 10))
}

func TestGate_Help(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"serve", "-h"}, &out, &errOut))
	for _, f := range []string{"-limits", "-limits-streams", "-inject", "-inject-seed"} {
		require.True(t, strings.Contains(errOut.String(), "  "+f+" "), "serve -h lists %s:\n%s", f, errOut.String())
	}
}

func TestGate_Statuses(t *testing.T) {
	// Injected errors reach the client with the Kinesis type, message and HTTP status,
	// through the real server and store.
	cfg, err := parseGate(t, "--inject", "ListStreams:InternalFailure:1,DescribeLimits:ServiceUnavailable:1,"+
		"ListShards:LimitExceededException:1,DescribeStreamSummary@s:ProvisionedThroughputExceededException:1")
	require.NoError(t, err)
	var so stream.Options
	o := server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cfg.gate.apply(&so, &o)
	store, err := stream.Open(t.TempDir(), so)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	require.NoError(t, store.CreateStream("s", stream.StreamConfig{ShardCount: 1}))
	srv := server.New(streambackend.New(store), o)
	tests := []struct {
		op, body string
		status   int
		want     string
	}{
		{"ListStreams", `{}`, 500, `{"__type":"InternalFailure"}`},
		{"DescribeLimits", `{}`, 503, `{"__type":"ServiceUnavailable"}`},
		{"ListShards", `{"StreamName":"s"}`, 400, `{"__type":"LimitExceededException","message":"Rate exceeded for stream s under account 000000000000."}`},
		{"DescribeStreamSummary", `{"StreamName":"s"}`, 400,
			`{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for stream s under account 000000000000."}`},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", "Kinesis_20131202."+tt.op)
		r.Header.Set("X-Amz-Date", "20260101T000000Z")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, "+
			"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		require.Equal(t, tt.status, w.Code, "%s: %s", tt.op, w.Body)
		require.JSONEq(t, tt.want, w.Body.String(), tt.op)
		var typ struct {
			Type string `json:"__type"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &typ))
		require.Equal(t, kinesis.Status(typ.Type), w.Code, "%s: the status kinesis.Status gives", tt.op)
	}
}

// TestGate_Scopes: each account in each region has quotas of its own, as on AWS, and the
// refusals name the request's account: the control-plane rates, and the shard quotas of
// streams that have the same name in several accounts and regions.
func TestGate_Scopes(t *testing.T) {
	clock := testutil.NewClock(1_700_000_000_000)
	cfg, err := parseGate(t, "--limits", "aws")
	require.NoError(t, err)
	gt, _, err := cfg.gates.build("000000000000", clock.Now)
	require.NoError(t, err)
	gt.region = "us-east-1"
	so := stream.Options{Account: "000000000000", Region: "us-east-1"}
	o := server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	gt.apply(&so, &o)
	b, err := streambackend.Open(t.TempDir(), so)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	srv := server.New(b, o)
	call := func(key, region, op, body string) (int, string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
		r.Header.Set("X-Amz-Date", "20260101T000000Z")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/20260101/"+region+"/kinesis/aws4_request, "+
			"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	scopes := []struct{ key, region, account string }{
		{"AKIDEXAMPLE", "us-east-1", "000000000000"},
		{"111122223333", "us-east-1", "111122223333"},
		{"AKIDEXAMPLE", "eu-west-1", "000000000000"},
	}
	for _, sc := range scopes {
		code, body := call(sc.key, sc.region, "DescribeLimits", `{}`)
		require.Equal(t, 200, code, "first DescribeLimits of %s in %s: %s", sc.account, sc.region, body)
		code, body = call(sc.key, sc.region, "DescribeLimits", `{}`)
		require.Equal(t, 400, code, "second DescribeLimits of %s in %s: %s", sc.account, sc.region, body)
		require.JSONEq(t, `{"__type":"LimitExceededException","message":"Rate exceeded for account `+sc.account+`."}`, body)

		code, body = call(sc.key, sc.region, "CreateStream", `{"StreamName":"s","ShardCount":1}`)
		require.Equal(t, 200, code, "CreateStream of %s in %s: %s", sc.account, sc.region, body)
	}
	iterator := `{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"LATEST"}`
	for _, sc := range scopes {
		for i := range 5 {
			code, body := call(sc.key, sc.region, "GetShardIterator", iterator)
			require.Equal(t, 200, code, "GetShardIterator %d of %s in %s: %s", i, sc.account, sc.region, body)
		}
		code, body := call(sc.key, sc.region, "GetShardIterator", iterator)
		require.Equal(t, 400, code, "sixth GetShardIterator of %s in %s: %s", sc.account, sc.region, body)
		require.JSONEq(t, `{"__type":"ProvisionedThroughputExceededException","message":`+
			`"Rate exceeded for shard shardId-000000000000 in stream s under account `+sc.account+`."}`, body)
	}
}
