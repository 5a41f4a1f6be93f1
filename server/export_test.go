package server

// WithWriteWaitHook returns o with f called whenever a write starts to wait for
// a slot of MaxWritesInFlight.
func WithWriteWaitHook(o Options, f func()) Options {
	o.onWriteWait = f
	return o
}
