package server

import (
	"context"

	"github.com/shardlog/shardlog/kinesis"
)

// Scope is the account and region a request acts in: AWS keeps the streams of each
// account in each region apart, and so does a Backend that serves several of them.
//
// Both come from the request's SigV4 credential scope,
// <access key id>/<date>/<region>/<service>/aws4_request, as LocalStack and kinesis-mock
// read it:
//
//   - Account is the access key id when that is 12 digits (an account id, the way
//     LocalStack lets a test pick its account), and "" otherwise;
//   - Region is the scope's region when it is a region name (lower-case letters, digits
//     and inner hyphens, at most 32 characters, starting with a letter), and "" otherwise.
//
// "" stands for the Backend's default (shardlog serve's --account-id and --region): a
// key such as "test" or "AKIDEXAMPLE" acts in the default account, and a missing or
// malformed region in the default region. Both are safe to use as file names.
type Scope struct {
	Account string
	Region  string
}

// ScopeFrom returns the Scope of the request ctx belongs to, or the zero Scope (the
// defaults) when ctx carries no request.
func ScopeFrom(ctx context.Context) Scope {
	info, ok := ctx.Value(requestInfoKey{}).(*RequestInfo)
	if !ok {
		return Scope{}
	}
	return scopeOf(info.AccessKeyID, info.Region)
}

// scopeOf applies Scope's rules to an access key id and a region.
func scopeOf(accessKeyID, region string) Scope {
	var sc Scope
	if kinesis.IsAccountID(accessKeyID) {
		sc.Account = accessKeyID
	}
	if kinesis.IsRegionName(region) {
		sc.Region = region
	}
	return sc
}
