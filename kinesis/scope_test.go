package kinesis_test

import (
	"strings"
	"testing"

	"github.com/shardlog/shardlog/kinesis"
)

func TestIsAccountID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"000000000000", true},
		{"111122223333", true},
		{"11112222333", false},
		{"1111222233334", false},
		{"11112222333a", false},
		{"1111-2222-33", false},
		{"", false},
		{"AKIDEXAMPLE0", false},
	}
	for _, tt := range tests {
		if got := kinesis.IsAccountID(tt.in); got != tt.want {
			t.Errorf("IsAccountID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestIsRegionName(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"us-east-1", true},
		{"us-gov-west-1", true},
		{"eu-central-2", true},
		{"local", true},
		{strings.Repeat("a", kinesis.MaxRegionLen), true},
		{strings.Repeat("a", kinesis.MaxRegionLen+1), false},
		{"", false},
		{"US-EAST-1", false},
		{"us_east_1", false},
		{"us-east-", false},
		{"1us", false},
		{"-us", false},
		{"..", false},
		{"us/east", false},
		{"us.east", false},
	}
	for _, tt := range tests {
		if got := kinesis.IsRegionName(tt.in); got != tt.want {
			t.Errorf("IsRegionName(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
