package kinesis_test

import (
	"errors"
	"testing"

	"github.com/shardlog/shardlog/kinesis"
)

func TestShardID(t *testing.T) {
	tests := []struct {
		index int
		want  string
	}{
		{0, "shardId-000000000000"},
		{1, "shardId-000000000001"},
		{68, "shardId-000000000068"},
		{2147483647, "shardId-002147483647"},
		{999999999999, "shardId-999999999999"},
	}
	for _, tt := range tests {
		if got := kinesis.ShardID(tt.index); got != tt.want {
			t.Errorf("ShardID(%d) = %s, want %s", tt.index, got, tt.want)
		}
		if got := string(kinesis.AppendShardID([]byte("id="), tt.index)); got != "id="+tt.want {
			t.Errorf("AppendShardID(id=, %d) = %s, want id=%s", tt.index, got, tt.want)
		}
		if got, err := kinesis.ParseShardID(tt.want); tt.index <= 2147483647 && (err != nil || got != tt.index) {
			t.Errorf("ParseShardID(%s) = %d, %v, want %d", tt.want, got, err, tt.index)
		}
	}
}

func TestParseShardID(t *testing.T) {
	tests := []struct {
		s    string
		want int // -1: invalid
	}{
		{"shardId-000000000000", 0},
		{"shardId-000000000007", 7},
		{"shardId-1", 1},
		{"shard-1", 1},
		{"x-1", 1},
		{"1", 1},
		{"-5", 5},
		{"a-12-b", 12}, // only the part between the first and second '-' counts
		{"shardId-2147483647", 2147483647},
		{"shardId-000000000000000000000000002147483647", 2147483647},
		{"shardId-2147483648", -1},
		{"shardId-99999999999999999999999", -1},
		{"shardId-", -1},
		{"shardId--1", -1},
		{"shardId-a", -1},
		{"shardId-1.5", -1},
		{"shardId- 1", -1},
		{"shardId-１", -1}, // a fullwidth digit is not a decimal digit here
		{"shardId", -1},
		{"", -1},
	}
	for _, tt := range tests {
		got, err := kinesis.ParseShardID(tt.s)
		if tt.want < 0 {
			if !errors.Is(err, kinesis.ErrInvalidShardID) {
				t.Errorf("ParseShardID(%q) = %d, %v, want ErrInvalidShardID", tt.s, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseShardID(%q) = %d, %v, want %d", tt.s, got, err, tt.want)
		}
	}
}
