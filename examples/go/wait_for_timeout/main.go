// wait_for_timeout — a deadline on a task (asyncio.wait_for): the task is
// cancelled at its next await, cleans up, and the caller sees a timeout.
//
// The Go twin of:
//
//	async def long_running_task():
//	    try:
//	        print("Long-running task: Starting...")
//	        for i in range(5):
//	            await asyncio.sleep(1)
//	            print(f"Long-running task: {i+1} second passed.")
//	        return "Task completed successfully"
//	    except asyncio.CancelledError:
//	        print("Long-running task: Was cancelled!")
//	        raise
//	    finally:
//	        print("Long-running task: Cleanup done.")
//
//	async def main_timeout():
//	    print("Main: Starting task with a timeout...")
//	    try:
//	        result = await asyncio.wait_for(long_running_task(), timeout=2.5)
//	        print(f"Main: Result: {result}")
//	    except asyncio.TimeoutError:
//	        print("Main: Task timed out after 2.5 seconds!")
//	    except asyncio.CancelledError:
//	        print("Main: Task was explicitly cancelled outside of timeout (e.g., by another task).")
//	    print("Main: Finished.")
//
// try/except/finally becomes an error check and a defer.
package main

import (
	"errors"
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

func longRunningTask(co *asyncore.Co) (any, error) {
	fmt.Println("Long-running task: Starting...")
	defer fmt.Println("Long-running task: Cleanup done.")
	for i := 0; i < 5; i++ {
		if err := co.Sleep(time.Second); err != nil {
			if errors.Is(err, asyncore.ErrCancelled) {
				fmt.Println("Long-running task: Was cancelled!")
			}
			return nil, err
		}
		fmt.Printf("Long-running task: %d second passed.\n", i+1)
	}
	return "Task completed successfully", nil
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Main: Starting task with a timeout...")
		task, err := co.Go(longRunningTask)
		if err != nil {
			return nil, err
		}
		result, err := co.WaitFor(task, 2500*time.Millisecond)
		switch {
		case errors.Is(err, asyncore.ErrTimeout):
			fmt.Println("Main: Task timed out after 2.5 seconds!")
		case errors.Is(err, asyncore.ErrCancelled):
			fmt.Println("Main: Task was explicitly cancelled outside of timeout (e.g., by another task).")
		case err != nil:
			return nil, err
		default:
			fmt.Printf("Main: Result: %v\n", result)
		}
		fmt.Println("Main: Finished.")
		return nil, nil
	})
}
