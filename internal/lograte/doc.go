// Package lograte keeps an error that repeats on every request from flooding the log: the
// first occurrence of a message is written at once, later ones within the interval are only
// counted, and the next one after it is written with a line that says how many were left out.
// A full disk fails every write, and a log that wrote one line per failed request would fill
// the same disk faster than anything else.
//
// A Limiter is safe for concurrent use. Usage:
//
//	lim := lograte.New(logger, lograte.DefaultInterval, nil)
//	lim.Error("stream: append", "shard", id, "error", err) // once per 10s per message
package lograte
