// tour — two tasks run concurrently (asyncio.create_task).
//
// The Go twin of:
//
//	async def greet_concurrent(name, delay):
//	    await asyncio.sleep(delay)
//	    print(f"Hello, {name} after {delay} seconds")
//
//	async def main_concurrent():
//	    print("Starting main_concurrent")
//	    task1 = asyncio.create_task(greet_concurrent("Alice", 2))
//	    task2 = asyncio.create_task(greet_concurrent("Bob", 1))
//	    await task1
//	    await task2
//	    print("Finished main_concurrent")
//
// Bob (1 s) greets before Alice (2 s) although Alice was created first,
// and the run takes about 2 s, not 3. Each task is a Go function running
// in its own goroutine; the loop runs one of them at a time.
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

func greetConcurrent(name string, delay int) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(time.Duration(delay) * time.Second); err != nil {
			return nil, err
		}
		fmt.Printf("Hello, %s after %d seconds\n", name, delay)
		return nil, nil
	}
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Starting main_concurrent")
		task1, err := co.Go(greetConcurrent("Alice", 2))
		if err != nil {
			return nil, err
		}
		task2, err := co.Go(greetConcurrent("Bob", 1))
		if err != nil {
			return nil, err
		}
		if _, err := co.Await(task1); err != nil {
			return nil, err
		}
		if _, err := co.Await(task2); err != nil {
			return nil, err
		}
		fmt.Println("Finished main_concurrent")
		return nil, nil
	})
}
