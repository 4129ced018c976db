// blocking_fetch — non-blocking waits overlap; blocking calls, even inside
// a task, stop the whole loop one after the other.
//
// The Go twin of asyncio's blocking-versus-non-blocking example:
//
//	async def non_blocking_fetch(url):
//	    print(f"Non-blocking: Requesting {url}...")
//	    await asyncio.sleep(2)
//	    print(f"Non-blocking: Received data from {url}")
//
//	def blocking_fetch(url):
//	    print(f"Blocking: Requesting {url}...")
//	    time.sleep(2)
//	    print(f"Blocking: Received data from {url}")
//
//	(run_non_blocking gathers two fetches; run_blocking calls two in a row;
//	 each prints its total time)
//
// The non-blocking half is timed with the loop's clock (virtual with
// --virtual-clock: no real waiting). The blocking half calls time.Sleep
// from the task's body: the loop waits for the body to give control back,
// so it really stands still for 2 + 2 seconds, timed with the system's
// monotonic clock (its test accepts up to 0.5 s of oversleeping).
package main

import (
	"fmt"
	"time"

	"asyncore"
	"asyncore-examples/internal/cli"
)

var urls = []string{"http://api.example.com/data1", "http://api.example.com/data2"}

func nonBlockingFetch(url string) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		fmt.Printf("Non-blocking: Requesting %s...\n", url)
		if err := co.Sleep(2 * time.Second); err != nil {
			return nil, err
		}
		fmt.Printf("Non-blocking: Received data from %s\n", url)
		return nil, nil
	}
}

func blockingFetch(url string) {
	fmt.Printf("Blocking: Requesting %s...\n", url)
	time.Sleep(2 * time.Second) // blocks the task, and with it the loop
	fmt.Printf("Blocking: Received data from %s\n", url)
}

func runNonBlocking(co *asyncore.Co) error {
	start := co.Time()
	var tasks []asyncore.Awaitable
	for _, url := range urls {
		t, err := co.Go(nonBlockingFetch(url))
		if err != nil {
			return err
		}
		tasks = append(tasks, t)
	}
	if _, err := co.Gather(tasks...); err != nil {
		return err
	}
	fmt.Printf("Non-blocking total time: %.2f seconds\n\n", co.Time()-start)
	return nil
}

func runBlocking() {
	start := time.Now()
	for _, url := range urls {
		blockingFetch(url)
	}
	fmt.Printf("Blocking total time: %.2f seconds\n\n", time.Since(start).Seconds())
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("--- Demonstrating Non-blocking I/O ---")
		if err := runNonBlocking(co); err != nil {
			return nil, err
		}
		fmt.Println("--- Demonstrating Blocking I/O (within an async context, still blocks) ---")
		runBlocking()
		return nil, nil
	})
}
