package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kpl"
)

// jsUserRecord is a user record as testdata/kpljs/agg.mjs reads and writes it.
type jsUserRecord struct {
	PartitionKey      string `json:"partitionKey"`
	ExplicitHashKey   string `json:"explicitHashKey,omitempty"`
	SubSequenceNumber int    `json:"subSequenceNumber"`
	Data              []byte `json:"data"`
}

// runAggJS runs agg.mjs with req and decodes its answer into out.
func runAggJS(t *testing.T, req, out any) {
	t.Helper()
	node, err := exec.LookPath("node")
	dir, _ := filepath.Abs(filepath.Join("testdata", "kpljs"))
	_, libErr := os.Stat(filepath.Join(dir, "node_modules", "aws-kinesis-agg"))
	requireE2E(t, "node and aws-kinesis-agg (npm ci --prefix cmd/shardlog/testdata/kpljs)", err == nil && libErr == nil)
	in, err := json.Marshal(req)
	require.NoError(t, err)
	cmd := exec.Command(node, "agg.mjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	require.NoError(t, err, "node agg.mjs: %s", stderr.String())
	require.NoError(t, json.Unmarshal(got, out), "agg.mjs answered %s", got)
}

// interopRecords makes user records of many shapes: shared and distinct keys, non-ASCII
// keys, explicit hash keys on some, empty and binary data, sizes across the varint length
// boundaries. Keys are never integer-like ("1", "2"): aws-kinesis-agg builds its key table
// from a JavaScript object, whose integer-like keys come out in numeric order, not in the
// order the indexes were given.
func interopRecords(seed uint64) []kpl.Record {
	rng := rand.New(rand.NewPCG(seed, 0))
	sizes := []int{0, 1, 127, 128, 1000, 16384}
	var recs []kpl.Record
	for i := range 200 {
		r := kpl.Record{PartitionKey: fmt.Sprintf("key-%d-ключ", rng.IntN(30)), Data: make([]byte, sizes[rng.IntN(len(sizes))])}
		for j := range r.Data {
			r.Data[j] = byte(rng.Uint32())
		}
		if i%4 == 1 {
			r.ExplicitHashKey = fmt.Sprint(rng.Uint64())
		}
		recs = append(recs, r)
	}
	return recs
}

// TestKPL_InteropWithAWSLabs checks the kpl package against the awslabs aggregation library
// for Node, which shares no code with it: aggregates from either side deaggregate on the
// other to the same user records, in order.
func TestKPL_InteropWithAWSLabs(t *testing.T) {
	skipShort(t)
	t.Parallel()
	recs := interopRecords(testutil.Seed(t))

	t.Run("go-aggregates-node-deaggregates", func(t *testing.T) {
		data, err := kpl.Aggregate(recs)
		require.NoError(t, err)
		var got []jsUserRecord
		runAggJS(t, map[string]any{"op": "deaggregate", "data": data}, &got)
		require.Len(t, got, len(recs))
		for i, r := range recs {
			require.Equal(t, i, got[i].SubSequenceNumber)
			require.Equal(t, r.PartitionKey, got[i].PartitionKey, "record %d", i)
			require.True(t, bytes.Equal(r.Data, got[i].Data), "record %d data", i)
			// aws-kinesis-agg reads a missing explicit_hash_key_index as 0 (protobuf.js's
			// default), so it names the first table entry where none was written; the KCL
			// asks hasExplicitHashKeyIndex. Compare only the keys that were written.
			if r.ExplicitHashKey != "" {
				require.Equal(t, r.ExplicitHashKey, got[i].ExplicitHashKey, "record %d", i)
			}
		}
	})

	t.Run("node-aggregates-go-deaggregates", func(t *testing.T) {
		in := make([]jsUserRecord, len(recs))
		for i, r := range recs {
			in[i] = jsUserRecord{PartitionKey: r.PartitionKey, ExplicitHashKey: r.ExplicitHashKey, Data: r.Data}
		}
		var aggregates []jsUserRecord
		runAggJS(t, map[string]any{"op": "aggregate", "records": in}, &aggregates)
		require.NotEmpty(t, aggregates)
		var got []kpl.Record
		for i, a := range aggregates {
			users, err := kpl.Deaggregate(a.Data)
			require.NoError(t, err, "aggregate %d of aws-kinesis-agg", i)
			got = append(got, users...)
		}
		require.Len(t, got, len(recs))
		for i, r := range recs {
			require.Equal(t, r.PartitionKey, got[i].PartitionKey, "record %d", i)
			require.Equal(t, r.ExplicitHashKey, got[i].ExplicitHashKey, "record %d", i)
			require.True(t, bytes.Equal(r.Data, got[i].Data), "record %d data", i)
		}
	})
}
