// worker_gather — workers that print as they go, results in argument
// order (asyncio.gather).
//
// The Go twin of:
//
//	async def worker(name, delay):
//	    print(f"Worker {name}: Starting...")
//	    await asyncio.sleep(delay)
//	    print(f"Worker {name}: Finished after {delay} seconds.")
//	    return f"Result from {name}"
//
//	async def main_gather():
//	    print("Main: Scheduling workers with asyncio.gather...")
//	    results = await asyncio.gather(
//	        worker("Alpha", 2), worker("Beta", 1), worker("Gamma", 3))
//	    print(f"Main: All workers finished. Results: {results}")
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"asyncore-examples/internal/pyfmt"
	"libasyncore.org/go/asyncore"
	"libasyncore.org/go/asyncore/typed"
)

func worker(name string, delay int) func(co *asyncore.Co) (string, error) {
	return func(co *asyncore.Co) (string, error) {
		fmt.Printf("Worker %s: Starting...\n", name)
		if err := co.Sleep(time.Duration(delay) * time.Second); err != nil {
			return "", err
		}
		fmt.Printf("Worker %s: Finished after %d seconds.\n", name, delay)
		return "Result from " + name, nil
	}
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Main: Scheduling workers with asyncio.gather...")
		var tasks []*typed.Future[string]
		for _, w := range []struct {
			name  string
			delay int
		}{{"Alpha", 2}, {"Beta", 1}, {"Gamma", 3}} {
			t, err := typed.Go(co.Loop(), worker(w.name, w.delay))
			if err != nil {
				return nil, err
			}
			tasks = append(tasks, &t.Future)
		}
		results, err := typed.GatherCo(co, tasks...)
		if err != nil {
			return nil, err
		}
		fmt.Printf("Main: All workers finished. Results: %s\n", pyfmt.Repr(results))
		return nil, nil
	})
}
