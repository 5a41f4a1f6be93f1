package segment

import (
	"fmt"
	"runtime/debug"
)

// Reading a mapping faults when its file was cut short under it or when the disk returns an
// I/O error for a page. Without a guard the process dies with SIGBUS. Every read of mapped
// memory runs with debug.SetPanicOnFault and defers catchFault, which turns that fault (and
// only that: other panics are programmer errors and keep going up) into an error wrapping
// ErrFault.
//
//	defer catchFault(debug.SetPanicOnFault(true), &err, path, pos)

// faultAddr is implemented by the runtime error of a memory fault.
type faultAddr interface{ Addr() uintptr }

// catchFault restores the goroutine's panic-on-fault setting to old and, if the goroutine is
// panicking because of a memory fault, stores an error in *err and stops the panic.
func catchFault(old bool, err *error, path string, pos int64) {
	debug.SetPanicOnFault(old)
	v := recover()
	if v == nil {
		return
	}
	f, ok := v.(faultAddr)
	if !ok {
		panic(v)
	}
	*err = fmt.Errorf("segment %s: read near position %d: %w (address %#x: %v)", path, pos, ErrFault, f.Addr(), v)
}
