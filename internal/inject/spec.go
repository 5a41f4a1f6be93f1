package inject

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shardlog/shardlog/kinesis"
)

// Rule fails Fraction of the calls of Operation with an error of type Error: those on
// Stream, or on any stream when Stream is "".
type Rule struct {
	Operation string  // e.g. "GetRecords", or PutRecordsRecords for single records
	Stream    string  // "" for every stream
	Error     string  // a Kinesis error type, one of Errors
	Fraction  float64 // in (0, 1]
}

// Spec is the rules of an Injector, at most one per operation and stream.
type Spec []Rule

// PutRecordsRecords is the operation name whose rule fails records of PutRecords one by one.
const PutRecordsRecords = "PutRecords.Records"

// Errors are the error types a Rule may inject: the throttling and server faults clients are
// meant to retry. Records of PutRecords can only fail with the first and the third, the two
// ErrorCodes AWS gives them.
var Errors = []string{
	kinesis.TypeProvisionedThroughputExceeded,
	kinesis.TypeLimitExceeded,
	kinesis.TypeInternalFailure,
	kinesis.TypeServiceUnavailable,
}

// Parse reads a spec: comma-separated OPERATION[@STREAM]:ERROR:FRACTION rules, at most
// one per operation and stream. OPERATION is a Kinesis operation name (Operations) or
// PutRecords.Records; a rule with @STREAM applies to the calls on that stream only, and
// takes precedence there over the operation's rule without one. An empty string is the
// empty spec.
func Parse(s string) (Spec, error) {
	var spec Spec
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		r, err := parseRule(item)
		if err != nil {
			return nil, err
		}
		if key := r.key(); seen[key] {
			return nil, fmt.Errorf("inject: %q: a second rule for %s", item, key)
		}
		seen[r.key()] = true
		spec = append(spec, r)
	}
	return spec, nil
}

// parseRule reads one OPERATION:ERROR:FRACTION.
func parseRule(item string) (Rule, error) {
	parts := strings.Split(item, ":")
	if len(parts) != 3 {
		return Rule{}, fmt.Errorf("inject: %q: want OPERATION:ERROR:FRACTION", item)
	}
	r := Rule{Operation: parts[0], Error: parts[1]}
	if op, stream, ok := strings.Cut(r.Operation, "@"); ok {
		if stream == "" {
			return Rule{}, fmt.Errorf("inject: %q: empty stream name after @", item)
		}
		r.Operation, r.Stream = op, stream
	}
	if !knownOperation(r.Operation) {
		return Rule{}, fmt.Errorf("inject: %q: unknown operation %q (a Kinesis operation name, or %s)", item, r.Operation, PutRecordsRecords)
	}
	if err := checkError(r.Operation, r.Error); err != nil {
		return Rule{}, fmt.Errorf("inject: %q: %w", item, err)
	}
	f, err := strconv.ParseFloat(parts[2], 64)
	if err != nil || !(f > 0 && f <= 1) {
		return Rule{}, fmt.Errorf("inject: %q: fraction %q is not a number in (0, 1]", item, parts[2])
	}
	r.Fraction = f
	return r, nil
}

// dataOperations are the operations AWS never answers LimitExceededException: their
// throttling is ProvisionedThroughputExceededException.
var dataOperations = []string{"PutRecord", "PutRecords", "GetRecords", "GetShardIterator"}

func checkError(op, typ string) error {
	if typ == kinesis.TypeLimitExceeded && slices.Contains(dataOperations, op) {
		return fmt.Errorf("%s is throttled with %s, not %s", op, kinesis.TypeProvisionedThroughputExceeded, typ)
	}
	if op == PutRecordsRecords {
		if typ != kinesis.TypeProvisionedThroughputExceeded && typ != kinesis.TypeInternalFailure {
			return fmt.Errorf("records of PutRecords fail with %s or %s, not %q",
				kinesis.TypeProvisionedThroughputExceeded, kinesis.TypeInternalFailure, typ)
		}
		return nil
	}
	for _, e := range Errors {
		if typ == e {
			return nil
		}
	}
	return fmt.Errorf("error %q is not one of %s", typ, strings.Join(Errors, ", "))
}

func knownOperation(op string) bool {
	if op == PutRecordsRecords {
		return true
	}
	for _, o := range Operations {
		if o == op {
			return true
		}
	}
	return false
}

// String writes the spec back in the form Parse reads.
func (s Spec) String() string {
	parts := make([]string, len(s))
	for i, r := range s {
		parts[i] = r.key() + ":" + r.Error + ":" + strconv.FormatFloat(r.Fraction, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

// key is the rule's OPERATION[@STREAM].
func (r Rule) key() string {
	if r.Stream == "" {
		return r.Operation
	}
	return r.Operation + "@" + r.Stream
}
