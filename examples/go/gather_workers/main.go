// gather_workers — run workers concurrently and collect their results in
// argument order (asyncio.gather).
//
// The Go twin of:
//
//	async def worker(name, delay):
//	    await asyncio.sleep(delay)
//	    return f"{name} finished after {delay}s"
//
//	async def main_gather():
//	    print("Starting main_gather")
//	    results = await asyncio.gather(
//	        worker("Worker A", 3), worker("Worker B", 1), worker("Worker C", 2))
//	    print("All workers finished.")
//	    for res in results:
//	        print(res)
//
// B finishes first and A last, yet the results come back in the order the
// workers were passed; the run takes about 3 s, not 6.
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

func worker(name string, delay int) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(time.Duration(delay) * time.Second); err != nil {
			return nil, err
		}
		return fmt.Sprintf("%s finished after %ds", name, delay), nil
	}
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Starting main_gather")
		var tasks []asyncore.Awaitable
		for _, w := range []struct {
			name  string
			delay int
		}{{"Worker A", 3}, {"Worker B", 1}, {"Worker C", 2}} {
			t, err := co.Go(worker(w.name, w.delay))
			if err != nil {
				return nil, err
			}
			tasks = append(tasks, t)
		}
		results, err := co.Gather(tasks...)
		if err != nil {
			return nil, err
		}
		fmt.Println("All workers finished.")
		for _, res := range results {
			fmt.Println(res)
		}
		return nil, nil
	})
}
