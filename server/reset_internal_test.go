package server

import "testing"

// TestIsLoopback: the reset call's test of a RemoteAddr.
func TestIsLoopback(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:40000", true},
		{"127.8.9.10:1", true},
		{"[::1]:40000", true},
		{"[::ffff:127.0.0.1]:1", true},
		{"192.0.2.1:40000", false},
		{"[2001:db8::1]:1", false},
		{"0.0.0.0:1", false},
		{"localhost:1", false}, // a RemoteAddr is an address, never a name
		{"127.0.0.1", false},   // no port: not a RemoteAddr
		{"", false},
	}
	for _, tt := range tests {
		if got := isLoopback(tt.addr); got != tt.want {
			t.Errorf("isLoopback(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}
