// A program outside the repository that uses the Go binding: two tasks
// gathered by a main task (asyncio.run, create_task, gather, sleep).
package main

import (
	"fmt"
	"os"
	"time"

	"libasyncore.org/go/asyncore"
)

func worker(name string, d time.Duration) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(d); err != nil {
			return nil, err
		}
		fmt.Println(name, "done")
		return name + " result", nil
	}
}

func main() {
	result, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("main started")
		a, err := co.Go(worker("slow", 20*time.Millisecond))
		if err != nil {
			return nil, err
		}
		b, err := co.Go(worker("fast", 10*time.Millisecond))
		if err != nil {
			return nil, err
		}
		return co.Gather(a, b)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Println(result)
}
