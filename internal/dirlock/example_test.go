package dirlock_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/shardlog/shardlog/internal/dirlock"
)

func ExampleAcquire() {
	dir, err := os.MkdirTemp("", "dirlock-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	l, err := dirlock.Acquire(dir)
	if err != nil {
		panic(err)
	}
	_, err = dirlock.Acquire(dir) // a second owner, here in the same process, is refused
	fmt.Println(errors.Is(err, dirlock.ErrLocked))
	if err := l.Release(); err != nil {
		panic(err)
	}
	l, err = dirlock.Acquire(dir) // free again once released
	fmt.Println(err)
	l.Release()
	// Output:
	// true
	// <nil>
}
