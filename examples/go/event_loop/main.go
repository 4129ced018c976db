// event_loop — the event loop interleaves two tasks.
//
// The Go twin of:
//
//	async def task_a():
//	    print("Task A started")
//	    await asyncio.sleep(0.5)
//	    print("Task A finished")
//
//	async def task_b():
//	    print("Task B started")
//	    await asyncio.sleep(1)
//	    print("Task B finished")
//
//	async def main():
//	    print("Main routine starting tasks...")
//	    await asyncio.gather(task_a(), task_b())
//	    print("Main routine all tasks completed.")
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

func timed(name string, d time.Duration) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		fmt.Printf("Task %s started\n", name)
		if err := co.Sleep(d); err != nil {
			return nil, err
		}
		fmt.Printf("Task %s finished\n", name)
		return nil, nil
	}
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Main routine starting tasks...")
		a, err := co.Go(timed("A", 500*time.Millisecond))
		if err != nil {
			return nil, err
		}
		b, err := co.Go(timed("B", time.Second))
		if err != nil {
			return nil, err
		}
		if _, err := co.Gather(a, b); err != nil {
			return nil, err
		}
		fmt.Println("Main routine all tasks completed.")
		return nil, nil
	})
}
