// Package metrics counts what shardlog serves and exposes it to Prometheus.
//
// A Metrics holds one Scope per account and region, and in each one Stream per stream
// name. The Backend (server/streambackend) tells a Stream about every PutRecord,
// PutRecords and GetRecords call once it has run: a handful of atomic adds per call,
// whatever the number of records. Nothing is formatted until a scrape: Handler renders
// the counters in the Prometheus text format, asks Options.Engine for the figures that
// are cheaper to read than to count (bytes and segments on disk, open files, mappings,
// the recovery at start-up) and adds the fdatasync latency histogram that WatchSyncs
// feeds from internal/durable.
//
// # Names
//
// Every metric of a stream is named after the CloudWatch metric it stands for, in the
// snake case that Prometheus names take (IncomingBytes is
// shardlog_stream_incoming_bytes_total), with the CloudWatch name at the start of its
// help text. A CloudWatch average (PutRecord.Success) becomes two counters, successes
// and calls, so that any window's average is their rates' ratio. Labels: stream,
// account, region, and shard for the shard-level metrics, which a stream reports only
// once EnableEnhancedMonitoring has turned them on.
//
// CloudWatch reports IteratorAgeMilliseconds and MillisBehindLatest with the Maximum
// statistic. Beside the latest call's age, a gauge named …_max_milliseconds holds the
// largest of the current minute and the one before, so that a scrape every minute or
// more often misses no peak; it reads 0 once two minutes have passed without a call.
//
// A stream's consumers (label consumer) count their SubscribeToShard calls, those that
// started, those refused because the consumer already had the shard
// (SubscribeToShard.RateExceeded), the subscriptions open now, and the events, records
// and bytes pushed (SubscribeToShardEvent.*). Their series stay until the stream is
// deleted.
//
//	m := metrics.New(metrics.Options{Engine: func() metrics.Engine {
//		return metrics.Engine{Streams: scoped.Usage()}
//	}})
//	defer m.WatchSyncs()()
//	scoped.CountInto(m) // a streambackend.Scoped; NewCounted(store, m.Scope(…)) for one store
//	srv := server.New(scoped, server.Options{Metrics: m.Handler()})
//
// # Concurrency
//
// Every method may be called from any goroutine. A scrape reads each counter atomically,
// but not all counters at one instant: a call that lands during a scrape may show in one
// counter and not yet in another.
package metrics
