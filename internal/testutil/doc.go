// Package testutil holds what the tests of several packages share:
//
//   - Seed and Rand: the seed of a random test, from -seed, SHARDLOG_SEED or the clock,
//     logged so that a failure can be replayed.
//   - Clock: a fake clock for the Now options of shard and stream.
//   - TreeState: the files of a directory and their checksums, to show that a call changed
//     nothing on disk; FlipByte, bit rot in one byte of a file.
//   - MountSmallFS, FillDisk and SkipOrFail: a small loop-mounted file system to fill up, for
//     the full-disk tests, and the rule for a tool that is missing (skip, unless
//     SHARDLOG_REQUIRE_E2E=1).
//   - SDKHTTPClient: the HTTP client of every AWS SDK client in the tests, which avoids a
//     client race of aws-sdk-go-v2 (internal/sdkhttp, which shardlogtest and `tail
//     --consumer` use too).
//   - SetKinesisHeaders: the headers of a hand-made awsJson 1.1 request, for the tests
//     that send raw bodies to the server.
//
// Test files import it, and so does internal/powerloss, itself a package for tests; nothing
// that goes into the binary does.
package testutil
