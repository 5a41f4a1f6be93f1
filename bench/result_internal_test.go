package bench

import (
	"math"
	"testing"
	"time"
)

// TestPhaseResult_Finish_CPUPerMillion checks the cost per record that compare.sh puts at the
// head of its table: CPU-seconds per million records of the phase, for the client and for
// the server when it was sampled, and 0 rather than a division by zero for an empty phase.
func TestPhaseResult_Finish_CPUPerMillion(t *testing.T) {
	tests := []struct {
		name       string
		records    int64
		clientCPU  float64
		server     *ProcessStats
		wantClient float64
		wantServer float64 // of Server, when it is set
	}{
		{"100B-run", 4_000_000, 10.8, &ProcessStats{CPUSeconds: 4.36}, 2.7, 1.09},
		{"slow-server", 250_000, 1.5, &ProcessStats{CPUSeconds: 9.45}, 6, 37.8},
		{"one-record", 1, 0.01, &ProcessStats{CPUSeconds: 0.02}, 10_000, 20_000},
		{"no-server-pid", 2_000_000, 3, nil, 1.5, 0},
		{"no-records", 0, 0.2, &ProcessStats{CPUSeconds: 0.1}, 0, 0},
		{"no-cpu-ticks", 1000, 0, &ProcessStats{}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PhaseResult{Records: tt.records, ClientCPUSeconds: tt.clientCPU, Server: tt.server}
			p.finish(2 * time.Second)
			if !near(p.ClientCPUPerMillion, tt.wantClient) {
				t.Errorf("%d records, client %.2f CPU s: ClientCPUPerMillion = %g, want %g",
					tt.records, tt.clientCPU, p.ClientCPUPerMillion, tt.wantClient)
			}
			if tt.server == nil {
				if p.Server != nil {
					t.Fatalf("Server = %+v, want nil without a server to sample", p.Server)
				}
				return
			}
			if !near(p.Server.CPUPerMillion, tt.wantServer) {
				t.Errorf("%d records, server %.2f CPU s: Server.CPUPerMillion = %g, want %g",
					tt.records, tt.server.CPUSeconds, p.Server.CPUPerMillion, tt.wantServer)
			}
		})
	}
}

func near(got, want float64) bool { return math.Abs(got-want) <= 1e-9*max(1, math.Abs(want)) }
