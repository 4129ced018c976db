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
// As in CPython (python/to_thread.py), main awaits the worker's result
// before the sleep, so the worker's lines come before "Non-blocking task
// finished.". With --virtual-clock the sleep costs no real time, and the
// blocking sleep none either, as time.sleep on a worker does in the Python
// twin's virtual-clock run: the await alone orders the two threads' lines.
package main

import (
	"context"
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
	"libasyncore.org/go/asyncore/typed"
)

func blockingFunction(duration int) (string, error) {
	fmt.Printf("  Blocking function started for %ds\n", duration)
	if !cli.Virtual() {
		time.Sleep(time.Duration(duration) * time.Second) // This is a blocking call
	}
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
		// A task of package typed is a goroutine that may block: the
		// loop keeps running meanwhile (Go's asyncio.to_thread).
		blocking, err := typed.Spawn(context.Background(), l, func(context.Context) (string, error) {
			return blockingFunction(2)
		})
		if err != nil {
			return nil, err
		}
		blockingResult, err := blocking.Await(co)
		if err != nil {
			return nil, err
		}
		if _, err := co.Await(task1); err != nil {
			return nil, err
		}
		fmt.Println("Main: Non-blocking task finished.")
		fmt.Printf("Main: Received blocking result: %v\n", blockingResult)
		fmt.Println("Main: Finished")
		return nil, nil
	})
}
