package testutil

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// PrometheusSamples reads a scrape in the Prometheus text format and returns each sample's
// value by its name and labels, as the format writes them: name{label="value",…}.
func PrometheusSamples(r io.Reader) (map[string]float64, error) {
	samples := map[string]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			return nil, fmt.Errorf("sample %q has no value", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("sample %q: %w", line, err)
		}
		samples[line[:i]] = v
	}
	return samples, sc.Err()
}
