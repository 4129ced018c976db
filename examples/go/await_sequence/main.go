// await_sequence — awaiting one coroutine after the other runs them in
// sequence: Alice (2 s) greets before Bob (1 s), 3 s in all.
//
// The Go twin of:
//
//	async def greet(name, delay):
//	    await asyncio.sleep(delay)
//	    print(f"Hello, {name} after {delay} seconds")
//
//	async def main_await():
//	    print("Starting main_await")
//	    await greet("Alice", 2)
//	    await greet("Bob", 1)
//	    print("Finished main_await")
//
// Awaiting a coroutine directly runs it inside the awaiting task, so the
// Go version calls greet as a plain function taking the task's Co.
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

func greet(co *asyncore.Co, name string, delay int) error {
	if err := co.Sleep(time.Duration(delay) * time.Second); err != nil {
		return err
	}
	fmt.Printf("Hello, %s after %d seconds\n", name, delay)
	return nil
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Starting main_await")
		if err := greet(co, "Alice", 2); err != nil {
			return nil, err
		}
		if err := greet(co, "Bob", 1); err != nil {
			return nil, err
		}
		fmt.Println("Finished main_await")
		return nil, nil
	})
}
