// Command bench measures the Go binding on the project's workloads (see
// bench/run.py) next to plain goroutines and channels, and the cost of
// crossing cgo:
//
//	W1  spawn N tasks that each return an int, await each in turn  (ns/task)
//	W1g the same tasks, then one gather over all of them  (ns/task)
//	W3  two tasks bounce a token through two capacity-1 queues (ns/round trip)
//	W4  100 tasks take one lock M times each, yielding while holding it
//	    (ns/acquisition)
//
// each through Go tasks (Go functions, what a Go program writes), through
// step functions (the library's task protocol, no goroutine), and in plain
// Go. Every figure is the median of the repetitions (after a warm-up at
// 1/10 size), with the min and max.
//
// With -result it first runs W2 (memory per sleeping Go task, measured
// before anything else grows the process), then W1, W1g, W3 and W4 once each
// through Go tasks (after a
// warm-up at 1/10 size), at the sizes of bench/run.py divided by -scale,
// and prints one line per workload for the benchmark driver:
//
//	RESULT W2 asyncore-go <bytes> B/task
//	RESULT W2ms asyncore-go <ms> ms
//	RESULT W1 asyncore-go <ns> ns/task
//	RESULT W1g asyncore-go <ns> ns/task
//	RESULT W3 asyncore-go <ns> ns/trip
//	RESULT W4 asyncore-go <ns> ns/acquire
//
// It exits with status 1 when a workload computes a wrong result.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"libasyncore.org/go/asyncore"
	"libasyncore.org/go/asyncore/internal/raw"
)

var (
	reps    = flag.Int("reps", 3, "repetitions per figure")
	only    = flag.String("only", "", "run only the figures whose name contains this")
	profile = flag.String("cpuprofile", "", "write a CPU profile to this file")
	result  = flag.Bool("result", false, "run W2, W1, W1g, W3 and W4 through Go tasks once and print RESULT lines")
	scale   = flag.Int("scale", 1, "with -result: divide the workload sizes by this")
	size    = flag.Int("n", 0, "units per repetition in place of each figure's own (the warm-up is a tenth)")
)

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// measure runs fn(n) after a warm-up at n/10 and reports ns per unit.
func measure(name string, n int, fn func(n int) time.Duration) {
	if *only != "" && !strings.Contains(name, *only) {
		return
	}
	if *size > 0 {
		n = *size
	}
	fn(n / 10)
	var ns []float64
	for i := 0; i < *reps; i++ {
		ns = append(ns, float64(fn(n).Nanoseconds())/float64(n))
	}
	sort.Float64s(ns)
	fmt.Printf("%-34s n=%-8d median %9.0f ns  (min %.0f, max %.0f)\n", name, n, ns[len(ns)/2], ns[0], ns[len(ns)-1])
}

// ---- W1 ----

// w1OneByOne is W1 as bench/w1_spawn.c runs it: co.Go for each task, then
// co.Await on each in turn. It fails unless every task's result is its
// index.
func w1OneByOne(n int) (time.Duration, error) {
	var d time.Duration
	_, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		start := time.Now()
		tasks := make([]*asyncore.Task, n)
		for i := range tasks {
			v := int64(i)
			t, err := co.Go(func(*asyncore.Co) (any, error) { return v, nil })
			if err != nil {
				return nil, err
			}
			tasks[i] = t
		}
		for i, t := range tasks {
			r, err := co.Await(t)
			if err != nil {
				return nil, err
			}
			if r != int64(i) {
				return nil, fmt.Errorf("W1: task %d returned %v", i, r)
			}
		}
		d = time.Since(start)
		return nil, nil
	})
	return d, err
}

// w1Natural is W1 as a Go program writes it (W1g, asyncio's shape): co.Go
// for each task, then co.Gather. It fails unless every task's result is
// its index.
func w1Natural(n int) (time.Duration, error) {
	var d time.Duration
	_, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		start := time.Now()
		tasks := make([]asyncore.Awaitable, n)
		for i := range tasks {
			v := int64(i)
			t, err := co.Go(func(*asyncore.Co) (any, error) { return v, nil })
			if err != nil {
				return nil, err
			}
			tasks[i] = t
		}
		res, err := co.Gather(tasks...)
		if err != nil {
			return nil, err
		}
		d = time.Since(start)
		if len(res) != n {
			return nil, fmt.Errorf("W1: %d results for %d tasks", len(res), n)
		}
		for i, r := range res {
			if r != int64(i) {
				return nil, fmt.Errorf("W1: task %d returned %v", i, r)
			}
		}
		return nil, nil
	})
	return d, err
}

func w1StepTasks(n int) time.Duration {
	l, err := asyncore.NewLoop()
	must(err)
	defer l.Close()
	var start time.Time
	spawned := false
	main, err := l.Spawn(func(s *asyncore.Step) int {
		if spawned {
			if _, err := s.Outcome(); err != nil {
				return s.Fail(err)
			}
			return s.Return(nil)
		}
		spawned = true
		start = time.Now()
		tasks := make([]asyncore.Awaitable, n)
		for i := range tasks {
			v := int64(i)
			t, err := s.Spawn(func(s *asyncore.Step) int { return s.Return(v) }, nil)
			if err != nil {
				return s.Fail(err)
			}
			tasks[i] = t
		}
		return s.Gather(tasks...)
	}, nil)
	must(err)
	_, err = l.RunUntilComplete(main)
	must(err)
	return time.Since(start)
}

// mustRun is a checked workload's time; a failure ends the program.
func mustRun(d time.Duration, err error) time.Duration {
	must(err)
	return d
}

func w1Goroutines(n int) time.Duration {
	start := time.Now()
	results := make([]int64, n)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			results[i] = int64(i)
			wg.Done()
		}(i)
	}
	wg.Wait()
	return time.Since(start)
}

// ---- W3 ----

// w3Natural is W3 as a Go program writes it: two Go tasks, Put and Get. It
// fails unless every token comes back as sent.
func w3Natural(n int) (time.Duration, error) {
	var d time.Duration
	_, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		l := co.Loop()
		ping, err := l.NewQueue(1)
		if err != nil {
			return nil, err
		}
		pong, err := l.NewQueue(1)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		echo, err := co.Go(func(co *asyncore.Co) (any, error) {
			for i := 0; i < n; i++ {
				v, err := ping.Get(co)
				if err != nil {
					return nil, err
				}
				if err := pong.Put(co, v); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			if err := ping.Put(co, int64(i)); err != nil {
				return nil, err
			}
			v, err := pong.Get(co)
			if err != nil {
				return nil, err
			}
			if v != int64(i) {
				return nil, fmt.Errorf("W3: sent %d, got back %v", i, v)
			}
		}
		if _, err := co.Await(echo); err != nil {
			return nil, err
		}
		d = time.Since(start)
		return nil, nil
	})
	return d, err
}

// bouncer is a W3 step task: put then get (the pinger) or get then put.
type bouncer struct {
	in, out *asyncore.Queue
	first   bool
	i, n    int
	phase   int
	token   any
}

func (b *bouncer) step(s *asyncore.Step) int {
	for {
		switch b.phase {
		case 0: // loop head
			if b.i == b.n {
				return s.Return(nil)
			}
			b.phase = 1
			if b.first {
				return s.Put(b.out, int64(b.i))
			}
			return s.Get(b.in)
		case 1:
			v, err := s.Outcome()
			if err != nil {
				return s.Fail(err)
			}
			b.phase = 2
			if b.first {
				return s.Get(b.in)
			}
			return s.Put(b.out, v)
		case 2:
			if _, err := s.Outcome(); err != nil {
				return s.Fail(err)
			}
			b.i++
			b.phase = 0
		}
	}
}

func w3StepTasks(n int) time.Duration {
	l, err := asyncore.NewLoop()
	must(err)
	defer l.Close()
	ping, _ := l.NewQueue(1)
	pong, _ := l.NewQueue(1)
	start := time.Now()
	a := &bouncer{in: pong, out: ping, first: true, n: n}
	b := &bouncer{in: ping, out: pong, n: n}
	ta, err := l.Spawn(a.step, nil)
	must(err)
	tb, err := l.Spawn(b.step, nil)
	must(err)
	g, _ := l.Gather(ta, tb)
	_, err = l.RunUntilComplete(g)
	must(err)
	return time.Since(start)
}

func w3Channels(n int) time.Duration {
	ping, pong := make(chan int64, 1), make(chan int64, 1)
	start := time.Now()
	done := make(chan struct{})
	go func() {
		for i := 0; i < n; i++ {
			pong <- <-ping
		}
		close(done)
	}()
	for i := 0; i < n; i++ {
		ping <- int64(i)
		<-pong
	}
	<-done
	return time.Since(start)
}

// ---- W4 ----

// w4Tasks is the number of tasks of W4.
const w4Tasks = 100

// w4Natural is W4 as a Go program writes it: w4Tasks Go tasks, each taking
// the lock m times and yielding (co.Yield) while holding it. It fails
// unless the lock excluded every other holder and every acquisition
// happened.
func w4Natural(m int) (time.Duration, error) {
	var d time.Duration
	_, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		lk, err := co.Loop().NewLock()
		if err != nil {
			return nil, err
		}
		holders, count := 0, 0
		start := time.Now()
		tasks := make([]asyncore.Awaitable, w4Tasks)
		for i := range tasks {
			t, err := co.Go(func(co *asyncore.Co) (any, error) {
				for r := 0; r < m; r++ {
					if err := lk.Acquire(co); err != nil {
						return nil, err
					}
					holders++
					count++
					if holders != 1 {
						return nil, fmt.Errorf("W4: %d holders of the lock", holders)
					}
					if err := co.Yield(); err != nil {
						return nil, err
					}
					holders--
					if err := lk.Release(); err != nil {
						return nil, err
					}
				}
				return nil, nil
			})
			if err != nil {
				return nil, err
			}
			tasks[i] = t
		}
		if _, err := co.Gather(tasks...); err != nil {
			return nil, err
		}
		d = time.Since(start)
		if count != w4Tasks*m {
			return nil, fmt.Errorf("W4: %d acquisitions, want %d", count, w4Tasks*m)
		}
		return nil, nil
	})
	return d, err
}

// statusKiB reads a "Name:   N kB" line of /proc/self/status.
func statusKiB(name string) (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var kib int64
		if n, _ := fmt.Sscanf(sc.Text(), name+": %d kB", &kib); n == 1 {
			return kib, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", name)
}

// w2Natural is W2: n Go tasks each sleep 100 ms once. It gives the wall
// time and (peak RSS - RSS before) per task, as the C program does.
func w2Natural(n int) (time.Duration, float64, error) {
	before, err := statusKiB("VmRSS")
	if err != nil {
		return 0, 0, err
	}
	var d time.Duration
	_, err = asyncore.Run(func(co *asyncore.Co) (any, error) {
		start := time.Now()
		tasks := make([]asyncore.Awaitable, n)
		for i := range tasks {
			t, err := co.Go(func(co *asyncore.Co) (any, error) { return nil, co.Sleep(100 * time.Millisecond) })
			if err != nil {
				return nil, err
			}
			tasks[i] = t
		}
		res, err := co.Gather(tasks...)
		d = time.Since(start)
		if err == nil && len(res) != n {
			err = fmt.Errorf("W2: %d results for %d tasks", len(res), n)
		}
		return nil, err
	})
	if err != nil {
		return 0, 0, err
	}
	peak, err := statusKiB("VmHWM")
	if err != nil {
		return 0, 0, err
	}
	return d, float64(peak-before) * 1024 / float64(n), nil
}

// runResults is -result: W2 once, then each workload once after a warm-up
// at 1/10 size.
func runResults(scale int) {
	if scale < 1 {
		scale = 1
	}
	failed := false
	if d, b, err := w2Natural(max(1, 100000/scale)); err != nil {
		fmt.Fprintf(os.Stderr, "bench: W2: %v\n", err)
		failed = true
	} else {
		fmt.Printf("RESULT W2 asyncore-go %.0f B/task\n", b)
		fmt.Printf("RESULT W2ms asyncore-go %.0f ms\n", float64(d.Milliseconds()))
	}
	type workload struct {
		id, unit string
		units    int // what the time is divided by
		size     int
		run      func(n int) (time.Duration, error)
	}
	w4m := max(1, 2000/scale)
	ws := []workload{
		{"W1", "ns/task", 200000 / scale, 200000 / scale, w1OneByOne},
		{"W1g", "ns/task", 200000 / scale, 200000 / scale, w1Natural},
		{"W3", "ns/trip", 200000 / scale, 200000 / scale, w3Natural},
		{"W4", "ns/acquire", w4Tasks * w4m, w4m, w4Natural},
	}
	for _, w := range ws {
		if _, err := w.run(max(1, w.size/10)); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s warm-up: %v\n", w.id, err)
			failed = true
			continue
		}
		d, err := w.run(w.size)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", w.id, err)
			failed = true
			continue
		}
		fmt.Printf("RESULT %s asyncore-go %.1f %s\n", w.id, float64(d.Nanoseconds())/float64(w.units), w.unit)
	}
	if failed {
		os.Exit(1)
	}
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// ---- crossing cgo ----

func cgoCall(n int) time.Duration {
	start := time.Now()
	for i := 0; i < n; i++ {
		raw.Version()
	}
	return time.Since(start)
}

func cgoCallback(n int) time.Duration {
	l, err := asyncore.NewLoop()
	must(err)
	defer l.Close()
	left := n
	start := time.Now()
	t, err := l.Spawn(func(s *asyncore.Step) int {
		if left--; left == 0 {
			return s.Return(nil)
		}
		return s.Yield()
	}, nil)
	must(err)
	_, err = l.RunUntilComplete(t)
	must(err)
	return time.Since(start)
}

func goHandOff(n int) time.Duration {
	// One yield of a Go task: a run of the loop and back to the task.
	var d time.Duration
	_, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		start := time.Now()
		for i := 0; i < n; i++ {
			if err := co.Yield(); err != nil {
				return nil, err
			}
		}
		d = time.Since(start)
		return nil, nil
	})
	must(err)
	return d
}

func main() {
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		must(err)
		must(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	if *result {
		runResults(*scale)
		return
	}
	fmt.Printf("Go binding benchmarks (GOMAXPROCS from the environment)\n")
	measure("cgo call (Go -> C, via SWIG)", 5_000_000, cgoCall)
	measure("step of a step task (C -> Go)", 1_000_000, cgoCallback)
	measure("yield of a Go task (one run)", 50_000, goHandOff)
	measure("W1 step tasks, gather", 200_000, w1StepTasks)
	measure("W1 Go tasks, one by one", 200_000, func(n int) time.Duration { return mustRun(w1OneByOne(n)) })
	measure("W1 Go tasks, gather", 200_000, func(n int) time.Duration { return mustRun(w1Natural(n)) })
	measure("W1 plain goroutines", 200_000, w1Goroutines)
	measure("W3 step tasks", 200_000, w3StepTasks)
	measure("W3 Go tasks", 20_000, func(n int) time.Duration { return mustRun(w3Natural(n)) })
	measure("W3 plain channels", 200_000, w3Channels)
	measure("W1 typed.Spawn tasks", 20_000, w1Typed)
	measure("W3 typed tasks and queues", 5_000, w3Typed)
	measure("W4 Go tasks (acquisitions)", w4Tasks*200, func(n int) time.Duration {
		return mustRun(w4Natural(n / w4Tasks))
	})
}
