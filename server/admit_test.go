package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
)

func TestServer_Admit(t *testing.T) {
	type asked struct{ op, stream string }
	var got []asked
	s, b := mustNew(t, server.Options{Admit: func(ctx context.Context, op, stream string) error {
		info, ok := server.RequestInfoFrom(ctx)
		require.True(t, ok, "the context of Admit carries the RequestInfo")
		require.Equal(t, op, info.Operation)
		got = append(got, asked{op, stream})
		if stream == "refused" {
			return kinesis.NewError(kinesis.TypeLimitExceeded, "Rate exceeded for stream refused under account 000000000000.")
		}
		return nil
	}})
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/"
	tests := []struct {
		op, body string
		stream   string // what Admit is told
		refused  bool
	}{
		{"DescribeStream", `{"StreamName":"a"}`, "a", false},
		{"DescribeStreamSummary", `{"StreamARN":"` + arn + `b"}`, "b", false},
		{"PutRecords", `{"StreamName":"c","Records":[{"Data":"","PartitionKey":"k"}]}`, "c", false},
		{"PutRecord", `{"StreamARN":"` + arn + `d","Data":"","PartitionKey":"k"}`, "d", false},
		{"ListStreams", `{}`, "", false},
		{"GetRecords", `{"ShardIterator":"x"}`, "", false},
		{"DescribeStream", `{"StreamName":"refused"}`, "refused", true},
	}
	for _, tt := range tests {
		got = nil
		calls := b.callCount()
		w := do(t, s, tt.op, tt.body)
		require.Equal(t, []asked{{tt.op, tt.stream}}, got, "%s %s", tt.op, tt.body)
		if !tt.refused {
			require.Equal(t, http.StatusOK, w.Code, "%s: %s", tt.op, w.Body)
			continue
		}
		require.Equal(t, calls, b.callCount(), "%s: the backend ran after Admit refused", tt.op)
		require.Equal(t, http.StatusBadRequest, w.Code)
		require.JSONEq(t, `{"__type":"LimitExceededException","message":"Rate exceeded for stream refused under account 000000000000."}`, w.Body.String())
	}

	// A request that fails validation never reaches Admit.
	got = nil
	w := do(t, s, "DescribeStream", `{"StreamName":""}`)
	require.Equal(t, http.StatusBadRequest, w.Code)
	require.Empty(t, got)
}
