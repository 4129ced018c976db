package main

import (
	"context"
	"time"

	"libasyncore.org/go/asyncore"
	"libasyncore.org/go/asyncore/typed"
)

// The same workloads with tasks of package typed: goroutines that never
// hold the loop, each of their loop operations posted and awaited.

// w1Typed is W1 gathered: n typed.Spawn tasks returning an int, waited
// for in turn.
func w1Typed(n int) time.Duration {
	l, err := asyncore.StartLoop()
	must(err)
	defer l.Close()
	ctx := context.Background()
	start := time.Now()
	fs := make([]*typed.Future[int], n)
	for i := range fs {
		i := i
		fs[i], err = typed.Spawn(ctx, l, func(context.Context) (int, error) { return i, nil })
		must(err)
	}
	for i, f := range fs {
		v, err := f.Wait(ctx)
		must(err)
		if v != i {
			panic("W1 typed: wrong result")
		}
	}
	return time.Since(start)
}

// w3Typed is W3: two typed tasks bounce a token through two capacity-1
// typed queues.
func w3Typed(n int) time.Duration {
	l, err := asyncore.StartLoop()
	must(err)
	defer l.Close()
	ctx := context.Background()
	ping, err := typed.NewQueue[int](l, 1)
	must(err)
	pong, err := typed.NewQueue[int](l, 1)
	must(err)
	start := time.Now()
	echo, err := typed.Spawn(ctx, l, func(ctx context.Context) (int, error) {
		for i := 0; i < n; i++ {
			v, err := ping.Get(ctx)
			if err != nil {
				return 0, err
			}
			if err := pong.Put(ctx, v+1); err != nil {
				return 0, err
			}
		}
		return n, nil
	})
	must(err)
	for i := 0; i < n; i++ {
		must(ping.Put(ctx, i))
		v, err := pong.Get(ctx)
		must(err)
		if v != i+1 {
			panic("W3 typed: wrong token")
		}
	}
	_, err = echo.Wait(ctx)
	must(err)
	return time.Since(start)
}
