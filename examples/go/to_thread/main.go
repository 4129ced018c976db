// to_thread — run a blocking function off the loop (asyncio.to_thread);
// in Go the "thread" is a goroutine.
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
// The expected output is what CPython prints for this program: the line
// "Non-blocking task finished." comes after the blocking function, since
// main prints it only once to_thread has returned. The blocking function
// really sleeps 2 s, also on the virtual clock (the clock does not wait
// for other threads; the sleep task ends meanwhile).
package main

import (
	"fmt"
	"time"

	"asyncore"
	"asyncore-examples/internal/cli"
)

func blockingFunction(duration int) (any, error) {
	fmt.Printf("  Blocking function started for %ds\n", duration)
	time.Sleep(time.Duration(duration) * time.Second)
	fmt.Printf("  Blocking function finished after %ds\n", duration)
	return fmt.Sprintf("Blocking result after %ds", duration), nil
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Main: Starting non-blocking operations")
		task1, err := co.Loop().Sleep(500 * time.Millisecond)
		if err != nil {
			return nil, err
		}
		fmt.Println("Main: Offloading blocking_function to a thread")
		blockingResult, err := co.ToThread(func() (any, error) { return blockingFunction(2) })
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
