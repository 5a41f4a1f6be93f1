package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// readsTerminal reports whether r is a terminal, as standard input is when nothing is piped
// or redirected into a command. A character device is not enough: /dev/null is one.
func readsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminal reports whether put's standard input is a terminal, so that put says it waits
// for lines typed there.
func (c *putConfig) terminal(stdin io.Reader) bool {
	if c.isTerminal != nil {
		return c.isTerminal(stdin)
	}
	return readsTerminal(stdin)
}
