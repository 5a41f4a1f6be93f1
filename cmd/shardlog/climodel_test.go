package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// The last AWS SDK for JavaScript v2 (npm aws-sdk, pinned in testdata/climodel) carries a
// Kinesis model with the resource-policy operations, in the compact form that SDK reads:
// members and operation inputs whose shape is a plain string or an inline structure name no
// shape. The CLI wants every member to name one, so expandModel gives each inline shape a
// name of its own; nothing else changes.

// jsKinesisModel returns the path of a CLI-readable copy, in a temporary directory, of the
// Kinesis model of testdata/climodel's aws-sdk, or "" if it is not installed (npm ci).
func jsKinesisModel(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "climodel", "node_modules", "aws-sdk", "apis", "kinesis-2013-12-02.min.json"))
	if err != nil {
		return ""
	}
	var model map[string]any
	require.NoError(t, json.Unmarshal(raw, &model))
	require.NoError(t, expandModel(model))
	out, err := json.Marshal(model)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "kinesis-service-2.json")
	require.NoError(t, os.WriteFile(path, out, 0o644))
	return path
}

// memberOnly are the keys of a member that belong to the reference, not to its shape.
var memberOnly = map[string]bool{
	"shape": true, "location": true, "locationName": true, "contextParam": true,
	"documentation": true, "deprecated": true, "hostLabel": true, "idempotencyToken": true,
}

// expandModel names every inline shape of a compact model.
func expandModel(model map[string]any) error {
	shapes, ok := model["shapes"].(map[string]any)
	if !ok {
		return fmt.Errorf("model has no shapes")
	}
	n := 0
	var ref func(m map[string]any) map[string]any
	// inline makes the shape of m, a shape body, refer to named shapes only.
	var inline func(s map[string]any)
	ref = func(m map[string]any) map[string]any {
		if _, named := m["shape"]; named {
			return m
		}
		body, kept := map[string]any{}, map[string]any{}
		for k, v := range m {
			if memberOnly[k] {
				kept[k] = v
			} else {
				body[k] = v
			}
		}
		if _, typed := body["type"]; !typed {
			body["type"] = "string"
		}
		inline(body)
		n++
		name := fmt.Sprintf("ShardlogInline%d", n)
		shapes[name] = body
		kept["shape"] = name
		return kept
	}
	inline = func(s map[string]any) {
		if members, ok := s["members"].(map[string]any); ok {
			for _, k := range sortedKeys(members) {
				if m, ok := members[k].(map[string]any); ok {
					members[k] = ref(m)
				}
			}
		}
		for _, k := range []string{"member", "key", "value"} {
			if m, ok := s[k].(map[string]any); ok {
				s[k] = ref(m)
			}
		}
	}
	for _, name := range sortedKeys(shapes) {
		if s, ok := shapes[name].(map[string]any); ok {
			inline(s)
		}
	}
	ops, _ := model["operations"].(map[string]any)
	for _, name := range sortedKeys(ops) {
		op, ok := ops[name].(map[string]any)
		if !ok {
			continue
		}
		for _, k := range []string{"input", "output"} {
			if m, ok := op[k].(map[string]any); ok {
				op[k] = ref(m)
			}
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
