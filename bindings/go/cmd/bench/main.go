// Command bench measures the Go binding on the project's workloads (see
// BENCHMARKS.md) next to plain goroutines and channels, and the cost of
// crossing cgo:
//
//	W1  spawn N tasks that each return an int, await all  (ns/task)
//	W3  two tasks bounce a token through two capacity-1 queues (ns/round trip)
//
// each through Go tasks (a goroutine per task), through step functions
// (the library's task protocol, no goroutine), and in plain Go. Every
// figure is the median of the repetitions (after a warm-up at 1/10 size),
// with the min and max.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"asyncore"
	"asyncore/internal/raw"
)

var (
	reps    = flag.Int("reps", 3, "repetitions per figure")
	only    = flag.String("only", "", "run only the figures whose name contains this")
	profile = flag.String("cpuprofile", "", "write a CPU profile to this file")
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
	fn(n / 10)
	var ns []float64
	for i := 0; i < *reps; i++ {
		ns = append(ns, float64(fn(n).Nanoseconds())/float64(n))
	}
	sort.Float64s(ns)
	fmt.Printf("%-34s n=%-8d median %9.0f ns  (min %.0f, max %.0f)\n", name, n, ns[len(ns)/2], ns[0], ns[len(ns)-1])
}

// ---- W1 ----

func w1GoTasks(n int) time.Duration {
	var d time.Duration
	_, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		start := time.Now()
		tasks := make([]asyncore.Awaitable, n)
		err := co.Call(func() error {
			for i := range tasks {
				i := int64(i)
				t, err := co.Loop().Go(func(*asyncore.Co) (any, error) { return i, nil })
				if err != nil {
					return err
				}
				tasks[i] = t
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if _, err := co.Gather(tasks...); err != nil {
			return nil, err
		}
		d = time.Since(start)
		return nil, nil
	})
	must(err)
	return d
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

func w3GoTasks(n int) time.Duration {
	var d time.Duration
	_, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		l := co.Loop()
		ping, _ := l.NewQueue(1)
		pong, _ := l.NewQueue(1)
		start := time.Now()
		echo, _ := co.Go(func(co *asyncore.Co) (any, error) {
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
		for i := 0; i < n; i++ {
			if err := ping.Put(co, int64(i)); err != nil {
				return nil, err
			}
			if _, err := pong.Get(co); err != nil {
				return nil, err
			}
		}
		_, err := co.Await(echo)
		d = time.Since(start)
		return nil, err
	})
	must(err)
	return d
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
	// One Go-task step: loop thread to task goroutine and back.
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
	fmt.Printf("Go binding benchmarks (GOMAXPROCS from the environment)\n")
	measure("cgo call (Go -> C, via SWIG)", 5_000_000, cgoCall)
	measure("step of a step task (C -> Go)", 1_000_000, cgoCallback)
	measure("step of a Go task (hand-off)", 50_000, goHandOff)
	measure("W1 step tasks", 200_000, w1StepTasks)
	measure("W1 Go tasks", 200_000, w1GoTasks)
	measure("W1 plain goroutines", 200_000, w1Goroutines)
	measure("W3 step tasks", 200_000, w3StepTasks)
	measure("W3 Go tasks", 20_000, w3GoTasks)
	measure("W3 plain channels", 200_000, w3Channels)
}
