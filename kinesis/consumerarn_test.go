package kinesis_test

import (
	"strings"
	"testing"

	"github.com/shardlog/shardlog/kinesis"
)

func TestConsumerARN(t *testing.T) {
	stream := kinesis.StreamARN("us-east-1", "000000000000", "orders")
	got := kinesis.ConsumerARN(stream, "billing", 1700000000)
	want := "arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/billing:1700000000"
	if got != want {
		t.Fatalf("ConsumerARN = %q, want %q", got, want)
	}
}

func TestParseConsumerARN(t *testing.T) {
	tests := []struct {
		arn                  string
		wantStream, wantName string
		wantSec              int64
		wantOK               bool
	}{
		{"arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/billing:1700000000",
			"arn:aws:kinesis:us-east-1:000000000000:stream/orders", "billing", 1700000000, true},
		{"arn:aws-cn:kinesis:cn-north-1:111111111111:stream/a.b/consumer/c_d-e.f:0",
			"arn:aws-cn:kinesis:cn-north-1:111111111111:stream/a.b", "c_d-e.f", 0, true},
		{"arn:aws:kinesis:us-east-1:000000000000:stream/orders", "", "", 0, false},                   // a stream
		{"arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/billing", "", "", 0, false},  // no time
		{"arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/billing:", "", "", 0, false}, // empty time
		{"arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/:17", "", "", 0, false},      // no name
		{"arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/b:c:17", "", "", 0, false},   // ':' in the name
		{"arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/billing:-1", "", "", 0, false},
		{"arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/billing:+1", "", "", 0, false},
		{"arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/billing:1x", "", "", 0, false},
		{"arn:aws:kinesis:us-east-1:000000000000:orders/consumer/billing:1", "", "", 0, false}, // no stream/
		{"arn:aws:kinesis:us-east-1:000000000000:stream/o/consumer/" + strings.Repeat("n", 129) + ":1", "", "", 0, false},
	}
	for _, tt := range tests {
		stream, name, sec, ok := kinesis.ParseConsumerARN(tt.arn)
		if stream != tt.wantStream || name != tt.wantName || sec != tt.wantSec || ok != tt.wantOK {
			t.Errorf("ParseConsumerARN(%q) = %q, %q, %d, %v; want %q, %q, %d, %v", tt.arn, stream, name, sec, ok,
				tt.wantStream, tt.wantName, tt.wantSec, tt.wantOK)
		}
	}
}
