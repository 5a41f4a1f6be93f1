package dirlock_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/dirlock"
)

// holdEnv makes the test binary a helper process that locks the directory the variable
// names, says "locked" on stdout, and holds the lock until its stdin closes or it is killed.
const holdEnv = "DIRLOCK_TEST_HOLD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(holdEnv); dir != "" {
		os.Exit(hold(dir))
	}
	os.Exit(m.Run())
}

func hold(dir string) int {
	l, err := dirlock.Acquire(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	bufio.NewReader(os.Stdin).ReadString('\n') // until the test closes stdin
	l.Release()
	return 0
}

// mustAcquire locks dir and releases it when the test ends.
func mustAcquire(t *testing.T, dir string) *dirlock.Lock {
	t.Helper()
	l, err := dirlock.Acquire(dir)
	require.NoError(t, err)
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { l.Release() }) })
	return l
}

// requireLocked checks that err refuses dir because process pid holds it.
func requireLocked(t *testing.T, err error, dir string, pid int) {
	t.Helper()
	require.ErrorIs(t, err, dirlock.ErrLocked)
	var le *dirlock.LockedError
	require.ErrorAs(t, err, &le)
	require.Equal(t, dir, le.Dir, "LockedError.Dir")
	require.Equal(t, pid, le.PID, "LockedError.PID")
	require.Contains(t, err.Error(), dir)
	holder := "process " + strconv.Itoa(pid) + ","
	if pid == os.Getpid() {
		holder = "this process (pid " + strconv.Itoa(pid) + "),"
	}
	require.Contains(t, err.Error(), dir+" is in use by "+holder)
}

func TestAcquire_SecondInSameProcess(t *testing.T) {
	dir := t.TempDir()
	mustAcquire(t, dir)
	before, err := os.Stat(filepath.Join(dir, dirlock.FileName))
	require.NoError(t, err)

	l, err := dirlock.Acquire(dir)
	require.Nil(t, l)
	requireLocked(t, err, dir, os.Getpid())

	after, err := os.Stat(filepath.Join(dir, dirlock.FileName))
	require.NoError(t, err)
	require.Equal(t, before.Size(), after.Size(), "lock file size after a refused Acquire")
	require.Equal(t, before.ModTime(), after.ModTime(), "lock file mtime after a refused Acquire")
}

func TestAcquire_AfterRelease(t *testing.T) {
	dir := t.TempDir()
	l, err := dirlock.Acquire(dir)
	require.NoError(t, err)
	require.NoError(t, l.Release())
	mustAcquire(t, dir)
}

func TestAcquire_WritesPID(t *testing.T) {
	dir := t.TempDir()
	// A longer id left by an earlier owner is replaced, not overwritten in part.
	require.NoError(t, os.WriteFile(filepath.Join(dir, dirlock.FileName), []byte("123456789012\n"), 0o644))
	mustAcquire(t, dir)
	b, err := os.ReadFile(filepath.Join(dir, dirlock.FileName))
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(os.Getpid())+"\n", string(b))
}

func TestAcquire_MissingDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	_, err := dirlock.Acquire(dir)
	require.Error(t, err)
	require.NotErrorIs(t, err, dirlock.ErrLocked)
	_, err = os.Stat(dir)
	require.ErrorIs(t, err, os.ErrNotExist, "Acquire created the directory")
}

func TestAcquire_UnknownHolder(t *testing.T) {
	for _, content := range []string{"", "not a pid\n", "-7\n"} {
		t.Run(strconv.Quote(content), func(t *testing.T) {
			dir := t.TempDir()
			mustAcquire(t, dir)
			// What a refused caller finds when the owner has not written its id (yet).
			require.NoError(t, os.WriteFile(filepath.Join(dir, dirlock.FileName), []byte(content), 0o644))
			_, err := dirlock.Acquire(dir)
			require.ErrorIs(t, err, dirlock.ErrLocked)
			var le *dirlock.LockedError
			require.ErrorAs(t, err, &le)
			require.Equal(t, 0, le.PID, "LockedError.PID")
			require.Contains(t, err.Error(), dir+" is in use by another process")
		})
	}
}

func TestAcquire_Concurrent(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	var wg sync.WaitGroup
	locks := make(chan *dirlock.Lock, n)
	for range n {
		wg.Go(func() {
			l, err := dirlock.Acquire(dir)
			if err == nil {
				locks <- l
				return
			}
			if !errors.Is(err, dirlock.ErrLocked) {
				t.Errorf("Acquire: %v", err)
			}
		})
	}
	wg.Wait()
	close(locks)
	require.Len(t, locks, 1, "Acquire calls that succeeded")
	require.NoError(t, (<-locks).Release())
}

// TestAcquire_OtherProcess locks a directory in a child process: Acquire here is refused
// with the child's pid, and succeeds once the child is killed, which frees the lock.
func TestAcquire_OtherProcess(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "the child did not report its lock")
	require.Equal(t, "locked", strings.TrimSpace(line))

	_, err = dirlock.Acquire(dir)
	requireLocked(t, err, dir, cmd.Process.Pid)
	require.NotContains(t, err.Error(), "this process")

	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()
	l, err := dirlock.Acquire(dir)
	require.NoError(t, err, "Acquire after the owner was killed")
	require.NoError(t, l.Release())
}

func TestLockedError_Message(t *testing.T) {
	err := &dirlock.LockedError{Dir: "/srv/data", PID: 4242}
	if err.PID == os.Getpid() {
		t.Skip("the test process has the pid of the example")
	}
	require.Equal(t, "dirlock: /srv/data is in use by process 4242, which holds the lock on /srv/data/LOCK", err.Error())
}
