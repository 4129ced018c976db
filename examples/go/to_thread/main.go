// to_thread — blocking code off the loop while the loop goes on
// (asyncio.to_thread); in Go the "thread" is a goroutine.
//
// The Go twin of:
//
//	def blocking_function(duration):
//	    print(f"  Blocking function started for {duration}s")
//	    time.sleep(duration)
//	    print(f"  Blocking function finished after {duration}s")
//	    return f"Blocking result after {duration}s"
//
//	async def main_to_thread():
//	    print("Main: Starting non-blocking operations")
//	    task1 = asyncio.create_task(asyncio.sleep(0.5))
//	    print("Main: Offloading blocking_function to a thread")
//	    blocking_result = await asyncio.to_thread(blocking_function, 2)
//	    await task1
//	    print(f"Main: Non-blocking task finished.")
//	    print(f"Main: Received blocking result: {blocking_result}")
//	    print("Main: Finished")
//
// The guide's point, and the output it shows, is that the 0.5 s sleep on
// the loop ends while the 2 s blocking function still runs. To print that
// story in that order, main awaits the sleep first and the blocking
// function's result second, as the C twin does.
//
// With --virtual-clock the sleep costs no real time; the blocking function
// still blocks for real, for a tenth of its duration (the printed durations
// stay the guide's). The virtual clock jumps as soon as the loop is idle,
// so main first awaits a future the goroutine completes once it has
// started: its first line comes before the sleep ends in both modes.
package main

import (
	"fmt"
	"time"

	"asyncore"
	"asyncore-examples/internal/cli"
)

func blockingFunction(duration int, started *asyncore.Future) (any, error) {
	fmt.Printf("  Blocking function started for %ds\n", duration)
	if err := started.SetResult(nil); err != nil {
		return nil, err
	}
	real := time.Duration(duration) * time.Second
	if cli.Virtual() {
		real /= 10
	}
	time.Sleep(real)
	fmt.Printf("  Blocking function finished after %ds\n", duration)
	return fmt.Sprintf("Blocking result after %ds", duration), nil
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		l := co.Loop()
		fmt.Println("Main: Starting non-blocking operations")
		task1, err := l.Sleep(500 * time.Millisecond)
		if err != nil {
			return nil, err
		}
		fmt.Println("Main: Offloading blocking_function to a thread")
		started, err := l.NewFuture()
		if err != nil {
			return nil, err
		}
		blocking, err := l.ToThread(func() (any, error) { return blockingFunction(2, started) })
		if err != nil {
			return nil, err
		}
		if _, err := co.Await(started); err != nil {
			return nil, err
		}
		if _, err := co.Await(task1); err != nil {
			return nil, err
		}
		fmt.Println("Main: Non-blocking task finished.")
		blockingResult, err := co.Await(blocking)
		if err != nil {
			return nil, err
		}
		fmt.Printf("Main: Received blocking result: %v\n", blockingResult)
		fmt.Println("Main: Finished")
		return nil, nil
	})
}
