// W1-W4 with goroutines and channels: the Go peer of the benchmarks.
// Prints RESULT <workload> <system> <value> <unit>. With -w5 SECONDS it is
// the W5 echo server instead (package net, a goroutine per connection): it
// prints "port N", serves for SECONDS, then prints its user and system CPU
// time. With -spawn N it is P1 instead: N children started and waited for.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

func w1(n int) {
	chans := make([]chan int, n)
	for i := range chans {
		c := make(chan int, 1)
		chans[i] = c
		go func() { c <- 1 }()
	}
	total := 0
	for _, c := range chans {
		total += <-c
	}
	if total != n {
		panic("w1")
	}
}

// w1g is W1 gathered: N goroutines, one sync.WaitGroup waited on once.
func w1g(n int) {
	results := make([]int, n)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			results[i] = 1
			wg.Done()
		}(i)
	}
	wg.Wait()
	total := 0
	for _, v := range results {
		total += v
	}
	if total != n {
		panic("w1g")
	}
}

// w2 returns the memory in use while every goroutine sleeps.
func w2(n int) uint64 {
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() { time.Sleep(100 * time.Millisecond); wg.Done() }()
	}
	peak := rss()
	wg.Wait()
	return peak
}

func w3(n int) {
	q1, q2 := make(chan int, 1), make(chan int, 1)
	go func() {
		for i := 0; i < n; i++ {
			q2 <- <-q1
		}
	}()
	for i := 0; i < n; i++ {
		q1 <- i
		if <-q2 != i {
			panic("w3")
		}
	}
}

// W4: a channel of capacity 1 is the async lock; Gosched yields while held.
func w4(tasks, rounds int) {
	lock := make(chan struct{}, 1)
	counter := 0
	var wg sync.WaitGroup
	wg.Add(tasks)
	for t := 0; t < tasks; t++ {
		go func() {
			for r := 0; r < rounds; r++ {
				lock <- struct{}{}
				counter++
				runtime.Gosched()
				<-lock
			}
			wg.Done()
		}()
	}
	wg.Wait()
	if counter != tasks*rounds {
		panic("w4")
	}
}

func timed(f func()) time.Duration {
	t0 := time.Now()
	f()
	return time.Since(t0)
}

func rss() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Sys
}

func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 65536)
	for {
		n, err := c.Read(buf)
		if err != nil || n == 0 {
			return // a reset, or the client is done
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
	}
}

// w5 serves the echo for the given time (TCP_NODELAY is Go's default).
func w5(seconds float64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "w5:", err)
		os.Exit(1)
	}
	fmt.Printf("port %d\n", ln.Addr().(*net.TCPAddr).Port)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go echo(c)
		}
	}()
	time.Sleep(time.Duration(seconds * float64(time.Second)))
	ln.Close()
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		fmt.Printf("cpu user %.3f s sys %.3f s\n",
			float64(ru.Utime.Nano())*1e-9, float64(ru.Stime.Nano())*1e-9)
	}
}

// p1: os/exec's Run of /bin/true, one child after another (P1).
func p1(name string, n int) {
	d := timed(func() {
		for i := 0; i < n; i++ {
			cmd := exec.Command("/bin/true")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintln(os.Stderr, "spawn:", err)
				os.Exit(1)
			}
		}
	})
	fmt.Printf("HOW P1 %s exec.Command(\"/bin/true\").Run(), one at a time\n", name)
	fmt.Printf("RESULT P1 %s %.1f us/child\n", name, float64(d.Nanoseconds())/1e3/float64(n))
}

func main() {
	scale := flag.Int("scale", 1, "divide sizes")
	name := flag.String("name", "go", "system name")
	w5secs := flag.Float64("w5", 0, "serve the W5 echo for this many seconds instead")
	spawn := flag.Int("spawn", 0, "P1 instead: start and wait for this many /bin/true children")
	w5tlsSecs := flag.Float64("w5tls", 0, "serve the W5 echo over TLS for this many seconds instead")
	flag.Parse()
	if *w5secs > 0 {
		w5(*w5secs)
		return
	}
	if *spawn > 0 {
		p1(*name, *spawn)
		return
	}
	if *w5tlsSecs > 0 {
		w5tls(*w5tlsSecs)
		return
	}
	s := *scale
	// W2 first: memory freed by earlier workloads would hide its cost.
	n2 := 100000 / s
	before := rss()
	var peak uint64
	d := timed(func() { peak = w2(n2) })
	fmt.Printf("RESULT W2 %s %.0f B/task\n", *name, float64(peak-before)/float64(n2))
	fmt.Printf("RESULT W2ms %s %d ms\n", *name, d.Milliseconds())
	n := 200000 / s
	timed(func() { w1(n / 10) })
	fmt.Printf("RESULT W1 %s %.1f ns/task\n", *name, float64(timed(func() { w1(n) }).Nanoseconds())/float64(n))
	timed(func() { w1g(n / 10) })
	fmt.Printf("RESULT W1g %s %.1f ns/task\n", *name, float64(timed(func() { w1g(n) }).Nanoseconds())/float64(n))
	timed(func() { w3(n / 10) })
	fmt.Printf("RESULT W3 %s %.1f ns/trip\n", *name, float64(timed(func() { w3(n) }).Nanoseconds())/float64(n))
	rounds := 2000 / s
	timed(func() { w4(100, rounds/10+1) })
	fmt.Printf("RESULT W4 %s %.1f ns/acquire\n", *name, float64(timed(func() { w4(100, rounds) }).Nanoseconds())/float64(100*rounds))
	os.Stdout.Sync()
}
