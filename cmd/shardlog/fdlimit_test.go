package main

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNearDescriptorLimit(t *testing.T) {
	for _, tc := range []struct {
		shards int
		limit  uint64
		near   bool
	}{
		{shards: 0, limit: 20000, near: false},
		{shards: 10000, limit: 20000, near: false},
		{shards: 18976, limit: 20000, near: false}, // exactly the reserve left
		{shards: 18977, limit: 20000, near: true},
		{shards: 0, limit: 1024, near: false}, // a small limit keeps a quarter
		{shards: 768, limit: 1024, near: false},
		{shards: 769, limit: 1024, near: true},
		{shards: 20000, limit: 20000, near: true},
	} {
		assert.Equal(t, tc.near, nearDescriptorLimit(tc.shards, tc.limit), "%d shards, limit %d", tc.shards, tc.limit)
	}
}

func TestWarnDescriptors(t *testing.T) {
	limit, ok := descriptorLimit()
	if !ok {
		t.Skip("no descriptor limit on this system")
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	warnDescriptors(log, 0, 0)
	assert.Empty(t, buf.String(), "no shards, limit %d", limit)
	warnDescriptors(log, int(limit), 0)
	assert.Contains(t, buf.String(), `level=WARN msg="descriptors: the shards hold one open file each, near the process's limit`)
	assert.Contains(t, buf.String(), "limit=")

	buf.Reset()
	warnDescriptors(log, 0, 1000)
	if limit >= 1000+1024 {
		assert.Empty(t, buf.String(), "the default shard limit, descriptor limit %d", limit)
	}
	warnDescriptors(log, 0, int(limit))
	assert.Contains(t, buf.String(), `level=WARN msg="descriptors: --shard-limit allows more shards than the process's descriptor limit leaves room for`)
	assert.Contains(t, buf.String(), "shard_limit=")
}
