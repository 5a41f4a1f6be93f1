package inject_test

import (
	"strings"
	"testing"

	"github.com/shardlog/shardlog/internal/inject"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // Spec.String() of the result
		err      string // a part of the error, "" for none
	}{
		{"empty", "", "", ""},
		{"two rules", "PutRecords:ProvisionedThroughputExceededException:0.05,GetRecords:InternalFailure:0.01",
			"PutRecords:ProvisionedThroughputExceededException:0.05,GetRecords:InternalFailure:0.01", ""},
		{"spaces and a trailing comma", " ListStreams:LimitExceededException:1 , ", "ListStreams:LimitExceededException:1", ""},
		{"records", "PutRecords.Records:InternalFailure:0.5", "PutRecords.Records:InternalFailure:0.5", ""},
		{"service unavailable", "PutRecord:ServiceUnavailable:0.2", "PutRecord:ServiceUnavailable:0.2", ""},
		{"two fields", "PutRecords:0.05", "", `"PutRecords:0.05": want OPERATION:ERROR:FRACTION`},
		{"unknown operation", "PutRecrods:InternalFailure:0.1", "", `unknown operation "PutRecrods"`},
		{"unknown error", "GetRecords:Boom:0.1", "", `error "Boom" is not one of ProvisionedThroughputExceededException, LimitExceededException, InternalFailure, ServiceUnavailable`},
		{"record error", "PutRecords.Records:LimitExceededException:0.1", "",
			`records of PutRecords fail with ProvisionedThroughputExceededException or InternalFailure, not "LimitExceededException"`},
		{"limit on data", "GetRecords:LimitExceededException:0.1", "",
			"GetRecords is throttled with ProvisionedThroughputExceededException, not LimitExceededException"},
		{"zero", "GetRecords:InternalFailure:0", "", `fraction "0" is not a number in (0, 1]`},
		{"above one", "GetRecords:InternalFailure:1.5", "", `fraction "1.5" is not a number in (0, 1]`},
		{"not a number", "GetRecords:InternalFailure:5%", "", `fraction "5%" is not a number in (0, 1]`},
		{"NaN", "GetRecords:InternalFailure:NaN", "", `fraction "NaN" is not a number in (0, 1]`},
		{"per stream", "GetRecords@orders:InternalFailure:0.5,GetRecords:InternalFailure:0.1",
			"GetRecords@orders:InternalFailure:0.5,GetRecords:InternalFailure:0.1", ""},
		{"empty stream", "GetRecords@:InternalFailure:0.5", "", "empty stream name after @"},
		{"twice per stream", "GetRecords@a:InternalFailure:0.1,GetRecords@a:InternalFailure:0.2", "", "a second rule for GetRecords@a"},
		{"twice", "GetRecords:InternalFailure:0.1,GetRecords:ServiceUnavailable:0.1", "", "a second rule for GetRecords"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := inject.Parse(tt.in)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("Parse(%q) error = %v", tt.in, err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("Parse(%q) error = %v, want one with %q", tt.in, err, tt.err)
			case tt.err == "" && spec.String() != tt.want:
				t.Fatalf("Parse(%q) = %q, want %q", tt.in, spec.String(), tt.want)
			}
		})
	}
}

func TestInjector_Fail(t *testing.T) {
	spec, err := inject.Parse("GetRecords:InternalFailure:0.05,ListStreams:LimitExceededException:1")
	if err != nil {
		t.Fatal(err)
	}
	draw := func(seed uint64) (fails []int) {
		in := inject.New(spec, seed)
		for i := range 10000 {
			switch typ := in.Fail("GetRecords", "s"); typ {
			case "":
			case "InternalFailure":
				fails = append(fails, i)
			default:
				t.Fatalf("Fail(GetRecords) = %q", typ)
			}
			if in.Fail("PutRecord", "s") != "" {
				t.Fatal("PutRecord, which has no rule, failed")
			}
			if in.Fail("ListStreams", "") != "LimitExceededException" {
				t.Fatal("ListStreams at fraction 1 went ahead")
			}
		}
		return fails
	}
	a, b, c := draw(7), draw(7), draw(8)
	if len(a) < 400 || len(a) > 600 {
		t.Errorf("%d of 10000 calls failed at fraction 0.05", len(a))
	}
	if !equal(a, b) {
		t.Error("the same seed failed different calls")
	}
	if equal(a, c) {
		t.Error("seeds 7 and 8 failed the same calls")
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInjector_Fail_PerStream(t *testing.T) {
	spec, err := inject.Parse("PutRecords@a:InternalFailure:1,PutRecords.Records@b:ProvisionedThroughputExceededException:1")
	if err != nil {
		t.Fatal(err)
	}
	in := inject.New(spec, 1)
	tests := []struct{ op, stream, want string }{
		{"PutRecords", "a", "InternalFailure"},
		{"PutRecords", "b", ""},
		{"PutRecords", "", ""},
		{inject.PutRecordsRecords, "b", "ProvisionedThroughputExceededException"},
		{inject.PutRecordsRecords, "a", ""},
	}
	for _, tt := range tests {
		if got := in.Fail(tt.op, tt.stream); got != tt.want {
			t.Errorf("Fail(%s, %q) = %q, want %q", tt.op, tt.stream, got, tt.want)
		}
	}
}
