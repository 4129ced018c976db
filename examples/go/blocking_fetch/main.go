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
// Both halves are timed with perfCounter, as the guide's are with
// time.perf_counter: the system's monotonic clock, where the blocking calls
// (time.Sleep from the task's body: the loop waits for the body to give
// control back) stand the loop still for 2 + 2 seconds. With
// --virtual-clock nothing waits for real and the run is exact: perfCounter
// is the loop's virtual clock plus the time blocking calls have held the
// loop still, and a blocking sleep adds to that time instead of sleeping
// (as the Python twin's virtual-clock run moves the loop's clock for
// time.sleep; see the C twin).
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
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

var (
	origin  = time.Now()
	blocked float64 // seconds blocking calls held the loop (virtual clock)
)

// perfCounter is time.perf_counter.
func perfCounter(co *asyncore.Co) float64 {
	if cli.Virtual() {
		return co.Time() + blocked
	}
	return time.Since(origin).Seconds()
}

// blockingSleep is time.sleep on the loop's thread: it blocks the task,
// and with it the loop.
func blockingSleep(d time.Duration) {
	if cli.Virtual() {
		blocked += d.Seconds()
		return
	}
	time.Sleep(d)
}

func blockingFetch(url string) {
	fmt.Printf("Blocking: Requesting %s...\n", url)
	blockingSleep(2 * time.Second) // blocks the task, and with it the loop
	fmt.Printf("Blocking: Received data from %s\n", url)
}

func runNonBlocking(co *asyncore.Co) error {
	start := perfCounter(co)
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
	fmt.Printf("Non-blocking total time: %.2f seconds\n\n", perfCounter(co)-start)
	return nil
}

func runBlocking(co *asyncore.Co) {
	start := perfCounter(co)
	for _, url := range urls {
		blockingFetch(url)
	}
	fmt.Printf("Blocking total time: %.2f seconds\n\n", perfCounter(co)-start)
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("--- Demonstrating Non-blocking I/O ---")
		if err := runNonBlocking(co); err != nil {
			return nil, err
		}
		fmt.Println("--- Demonstrating Blocking I/O (within an async context, still blocks) ---")
		runBlocking(co)
		return nil, nil
	})
}
