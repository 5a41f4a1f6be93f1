package testutil

import (
	"net/http"

	"github.com/shardlog/shardlog/internal/sdkhttp"
)

// SDKHTTPClient returns the HTTP client for the tests' AWS SDK clients: hc (a plain
// http.Client if nil), handed request bodies of their own, out of reach of aws-sdk-go-v2's
// request-body race (issues #1825 and #2737; see internal/sdkhttp). It retries nothing, so a
// test still sees every failure of the server.
func SDKHTTPClient(hc *http.Client) *sdkhttp.Client { return sdkhttp.New(hc) }
