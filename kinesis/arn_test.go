package kinesis_test

import (
	"testing"

	"github.com/shardlog/shardlog/kinesis"
)

func TestStreamARN(t *testing.T) {
	tests := []struct {
		region, account, name string
		want                  string
	}{
		{"us-east-1", "000000000000", "orders", "arn:aws:kinesis:us-east-1:000000000000:stream/orders"},
		{"eu-west-3", "123456789012", "a.b-c_d", "arn:aws:kinesis:eu-west-3:123456789012:stream/a.b-c_d"},
		{"us-east-1", "000000000000", "", "arn:aws:kinesis:us-east-1:000000000000:stream/"},
	}
	for _, tt := range tests {
		if got := kinesis.StreamARN(tt.region, tt.account, tt.name); got != tt.want {
			t.Errorf("StreamARN(%q, %q, %q) = %q, want %q", tt.region, tt.account, tt.name, got, tt.want)
		}
	}
}

func TestStreamNameFromARN(t *testing.T) {
	tests := []struct {
		arn    string
		want   string
		wantOK bool
	}{
		{"arn:aws:kinesis:us-east-1:000000000000:stream/orders", "orders", true},
		{"arn:aws-cn:kinesis:cn-north-1:000000000000:stream/orders", "orders", true},
		{"arn:aws:kinesis:us-east-1:000000000000:stream/", "", true},
		// The last marker wins, as the server has always read it.
		{"arn:aws:kinesis:us-east-1:000000000000:stream/a:stream/b", "b", true},
		{"arn:aws:kinesis:us-east-1:000000000000:consumer/c", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := kinesis.StreamNameFromARN(tt.arn)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("StreamNameFromARN(%q) = %q, %v, want %q, %v", tt.arn, got, ok, tt.want, tt.wantOK)
		}
	}
	// What StreamARN builds, StreamNameFromARN reads back.
	if got, ok := kinesis.StreamNameFromARN(kinesis.StreamARN("us-east-1", "000000000000", "w")); got != "w" || !ok {
		t.Errorf("round trip = %q, %v, want w, true", got, ok)
	}
}
