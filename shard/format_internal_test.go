package shard

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
)

func testManifest() manifest {
	return manifest{
		sealed:     true,
		createdMs:  1_700_000_000_000,
		nextOffset: 300,
		lastTimeMs: 1_700_000_500_000,
		trimOffset: 120,
		segments: []index.Meta{
			{BaseOffset: 100, NextOffset: 200, End: 4096, FirstTimeMs: 1_700_000_100_000, LastTimeMs: 1_700_000_200_000},
			{BaseOffset: 200, NextOffset: 300, End: 8000, FirstTimeMs: 1_700_000_200_000, LastTimeMs: 1_700_000_500_000},
		},
	}
}

func TestManifest_RoundTrip(t *testing.T) {
	tests := []struct {
		name string
		m    manifest
	}{
		{"sealed with segments", testManifest()},
		{"clean, one active segment", manifest{clean: true, nextOffset: 5, segments: []index.Meta{{NextOffset: 5, End: 900, FirstTimeMs: 1, LastTimeMs: 2}}}},
		{"sealed, every segment deleted", manifest{sealed: true, nextOffset: 77, lastTimeMs: 9, trimOffset: 77}},
		{"empty active segment", manifest{segments: []index.Meta{{End: segment.HeaderSize}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := appendManifest(nil, tt.m)
			require.Len(t, b, manifestHeaderSize+len(tt.m.segments)*entrySize+crcSize)
			got, err := decodeManifest("manifest", b)
			require.NoError(t, err)
			if tt.m.segments == nil {
				tt.m.segments = []index.Meta{}
			}
			require.Equal(t, tt.m, got)
		})
	}
}

func TestManifest_Damage(t *testing.T) {
	good := appendManifest(nil, testManifest())
	for n := range len(good) {
		_, err := decodeManifest("manifest", good[:n])
		require.ErrorIs(t, err, segment.ErrCorrupt, "manifest cut to %d bytes", n)
	}
	for i := range len(good) * 8 {
		b := append([]byte(nil), good...)
		b[i/8] ^= 1 << (i % 8)
		_, err := decodeManifest("manifest", b)
		var ce *segment.CorruptionError
		require.True(t, errors.As(err, &ce), "bit %d flipped: %v", i, err)
		require.Equal(t, "manifest", ce.Path)
	}
}

func TestManifest_Inconsistent(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *manifest)
	}{
		{"gap between segments", func(m *manifest) { m.segments[1].BaseOffset = 201 }},
		{"next before base", func(m *manifest) { m.segments[0].NextOffset = 99 }},
		{"end inside the header", func(m *manifest) { m.segments[0].End = segment.HeaderSize - 1 }},
		{"times backwards", func(m *manifest) { m.segments[0].LastTimeMs = m.segments[0].FirstTimeMs - 1 }},
		{"tip disagrees", func(m *manifest) { m.nextOffset = 301 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testManifest()
			tt.change(&m)
			_, err := decodeManifest("manifest", appendManifest(nil, m))
			require.ErrorIs(t, err, segment.ErrCorrupt)
		})
	}
}

func TestParseName(t *testing.T) {
	tests := []struct {
		name   string
		base   uint64
		suffix string
		ok     bool
	}{
		{"00000000000000000000.seg", 0, ".seg", true},
		{"00000000000000001000.idx", 1000, ".idx", true},
		{"18446744073709551615.seg", 1<<64 - 1, ".seg", true},
		{"18446744073709551616.seg", 0, "", false}, // overflows uint64
		{"0000000000000000100.seg", 0, "", false},  // 19 digits
		{"0000000000000000000a.seg", 0, "", false},
		{"+0000000000000000001.seg", 0, "", false},
		{"00000000000000000000.seg.tmp", 0, "", false},
		{"00000000000000000000.log", 0, "", false},
		{"manifest", 0, "", false},
	}
	for _, tt := range tests {
		base, suffix, ok := parseName(tt.name)
		require.Equal(t, tt.ok, ok, "parseName(%q) ok", tt.name)
		require.Equal(t, tt.base, base, "parseName(%q) base", tt.name)
		require.Equal(t, tt.suffix, suffix, "parseName(%q) suffix", tt.name)
		if ok {
			name := segmentName(base)
			if suffix == indexSuffix {
				name = indexName(base)
			}
			require.Equal(t, tt.name, name, "name of offset %d", base)
		}
	}
}
