package shard_test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// The crash test re-runs the test binary as a child (TestCrashChild) that appends from
// several goroutines and prints each acknowledged batch; the parent kills it with SIGKILL at
// a random moment, recovers the shard, and checks every acknowledged record.
const (
	crashDirEnv   = "SHARDLOG_CRASH_DIR"
	crashRoundEnv = "SHARDLOG_CRASH_ROUND"
	crashSeedEnv  = "SHARDLOG_CRASH_SEED"
	crashWriters  = 4
)

// crashOptions are the options of both the child and the parent: small segments, so that
// kills land in rolls and checkpoints too.
func crashOptions() shard.Options {
	return shard.Options{MaxSegmentBytes: 32 << 10, Sync: shard.SyncAlways}
}

// crashID names a record: the writer that appended it and its sequence number there.
type crashID struct{ writer, seq int }

// crashRecord returns the record of id; its data is derived from id, so damage shows.
func crashRecord(id crashID) segment.Record {
	r := rand.New(rand.NewPCG(uint64(id.writer), uint64(id.seq)))
	data := make([]byte, 10+r.IntN(300))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	return segment.Record{PartitionKey: []byte(fmt.Sprintf("%d/%d", id.writer, id.seq)), Data: data}
}

// parseCrashKey returns the id in a record's partition key.
func parseCrashKey(key []byte) (crashID, error) {
	w, s, ok := strings.Cut(string(key), "/")
	if !ok {
		return crashID{}, fmt.Errorf("bad key %q", key)
	}
	writer, err1 := strconv.Atoi(w)
	seq, err2 := strconv.Atoi(s)
	if err1 != nil || err2 != nil {
		return crashID{}, fmt.Errorf("bad key %q", key)
	}
	return crashID{writer, seq}, nil
}

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrash")
	}
	round, _ := strconv.Atoi(os.Getenv(crashRoundEnv))
	seed, _ := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
	opts := shard.WithCheckpointBytes(crashOptions(), 8<<10)
	if round%2 == 1 {
		opts.Syncer = shard.NewSyncer() // every other round waits for durability through a Syncer
	}
	s, err := shard.Open(dir, opts)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	var out sync.Mutex
	for w := range crashWriters {
		writer := round*crashWriters + w
		go func() {
			r := rand.New(rand.NewPCG(seed, uint64(writer)))
			for seq := 0; ; {
				recs := make([]segment.Record, 1+r.IntN(20))
				for i := range recs {
					recs[i] = crashRecord(crashID{writer, seq + i})
				}
				first, _, err := s.Append(recs)
				out.Lock()
				if err != nil {
					fmt.Println("error", err)
					os.Exit(2)
				}
				fmt.Printf("ack %d %d %d %d\n", first, len(recs), writer, seq)
				out.Unlock()
				seq += len(recs)
			}
		}()
	}
	select {} // until killed
}

// crashAck is one acknowledged batch.
type crashAck struct {
	first  uint64
	n      int
	writer int
	seq    int
}

func TestCrash(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("in the child")
	}
	seed := testutil.Seed(t)
	r := rand.New(rand.NewPCG(seed, 0))
	rounds := 10
	if testing.Short() {
		rounds = 4
	}
	dir := t.TempDir()
	acked := map[uint64]crashID{} // offset → the record acknowledged there
	parentWriter := 1 << 20
	for round := range rounds {
		acks := runCrashChild(t, dir, round, r.Uint64(), time.Duration(20+r.IntN(200))*time.Millisecond)
		for _, a := range acks {
			for i := range a.n {
				acked[a.first+uint64(i)] = crashID{a.writer, a.seq + i}
			}
		}
		s, err := shard.Open(dir, crashOptions())
		require.NoError(t, err, "round %d: Open after SIGKILL", round)
		checkCrashLog(t, s, acked, round)
		// Appending goes on where the recovered log ends.
		tip := s.NextOffset()
		id := crashID{parentWriter + round, 0}
		first, _, err := s.Append([]segment.Record{crashRecord(id)})
		require.NoError(t, err, "round %d: Append after recovery", round)
		require.Equal(t, tip, first, "round %d: first offset after recovery", round)
		acked[first] = id
		require.NoError(t, s.Close())
		t.Logf("round %d: %d batches acknowledged, log of %d records, %d bytes of torn tail dropped",
			round, len(acks), tip, s.Stats().DroppedBytes)
	}
}

// runCrashChild runs the child on dir, kills it with SIGKILL once it has acknowledged a batch
// and `after` has passed, and returns the batches it acknowledged.
func runCrashChild(t *testing.T, dir string, round int, seed uint64, after time.Duration) []crashAck {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashRoundEnv+"="+strconv.Itoa(round),
		crashSeedEnv+"="+strconv.FormatUint(seed, 10))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, stdout)
	}()
	var acks []crashAck
	var started <-chan time.Time
	deadline := time.After(10 * time.Second)
	for done := false; !done; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("round %d: the child exited before it was killed", round)
			}
			acks = append(acks, parseCrashAck(t, line))
			if started == nil {
				started = time.After(after)
			}
		case <-started:
			done = true
		case <-deadline:
			t.Fatalf("round %d: the child acknowledged nothing in 10 s", round)
		}
	}
	require.NoError(t, cmd.Process.Kill()) // SIGKILL
	cmd.Wait()
	for line := range lines { // what the child printed before it died
		acks = append(acks, parseCrashAck(t, line))
	}
	return acks
}

// parseCrashAck parses a child's "ack first n writer seq" line.
func parseCrashAck(t *testing.T, line string) crashAck {
	t.Helper()
	var a crashAck
	if _, err := fmt.Sscanf(line, "ack %d %d %d %d", &a.first, &a.n, &a.writer, &a.seq); err != nil {
		t.Fatalf("child: %s", line)
	}
	return a
}

// checkCrashLog checks the recovered log: every acknowledged record is there, at its offset,
// intact; every record is intact and appears once; each writer's records are in its order.
func checkCrashLog(t *testing.T, s *shard.Shard, acked map[uint64]crashID, round int) {
	t.Helper()
	seen := map[crashID]uint64{}
	lastSeq := map[int]int{}
	want := uint64(0)
	_, err := s.Read(0, 0, 0, func(rec segment.Record) error {
		if rec.Offset != want {
			return fmt.Errorf("offset %d, want %d", rec.Offset, want)
		}
		want++
		id, err := parseCrashKey(rec.PartitionKey)
		if err != nil {
			return fmt.Errorf("offset %d: %w", rec.Offset, err)
		}
		if a, ok := acked[rec.Offset]; ok && a != id {
			return fmt.Errorf("offset %d holds %v, %v was acknowledged there", rec.Offset, id, a)
		}
		if string(crashRecord(id).Data) != string(rec.Data) {
			return fmt.Errorf("offset %d: data of %v damaged", rec.Offset, id)
		}
		if prev, ok := seen[id]; ok {
			return fmt.Errorf("%v at offsets %d and %d", id, prev, rec.Offset)
		}
		seen[id] = rec.Offset
		if last, ok := lastSeq[id.writer]; ok && id.seq != last+1 {
			return fmt.Errorf("offset %d: writer %d record %d follows its record %d", rec.Offset, id.writer, id.seq, last)
		}
		lastSeq[id.writer] = id.seq
		return nil
	})
	require.NoError(t, err, "round %d", round)
	for off := range acked {
		require.Less(t, off, want, "round %d: acknowledged offset %d is gone (log ends at %d)", round, off, want)
	}
}
