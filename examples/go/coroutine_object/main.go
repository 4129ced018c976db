// coroutine_object — a coroutine that is not scheduled does not run.
//
// The Go twin of asyncio's coroutine-object example:
//
//	async def my_coroutine():
//	    print("Starting my_coroutine")
//	    await asyncio.sleep(1)
//	    print("Finished my_coroutine")
//
//	coro_obj = my_coroutine()
//	print(f"Type of coro_obj: {type(coro_obj)}")
//
// Go has no coroutine object to print the class of. What it has is a task:
// a TaskFunc handed to a loop. coroObj here is such a task, made on a loop
// that never runs, so its function never runs: "Starting my_coroutine" is
// never printed. The line shows what the task says of itself: its Go type,
// its name and its state (pending), not CPython's "<class 'coroutine'>":
// this twin's output is its own (examples/expected/coroutine_object.go.txt).
// Closing the loop drops the task unrun; any report the loop makes of it
// would be printed on stdout.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	_ "asyncore-examples/internal/cli" // the --virtual-clock flag every example accepts
	"libasyncore.org/go/asyncore"
)

func myCoroutine(co *asyncore.Co) (any, error) {
	fmt.Println("Starting my_coroutine")
	if err := co.Sleep(time.Second); err != nil {
		return nil, err
	}
	fmt.Println("Finished my_coroutine")
	return nil, nil
}

func main() {
	flag.Parse()
	loop, err := asyncore.NewLoop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	_ = loop.SetExceptionHandler(func(c asyncore.ExceptionContext) { fmt.Println(c.Message) })
	coroObj, err := loop.Go(myCoroutine) // never run: the loop does not run
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	state := "pending"
	if coroObj.IsDone() {
		state = "done"
	}
	fmt.Printf("Type of coro_obj: %T %s (%s)\n", coroObj, coroObj.Name(), state)
	if err := loop.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
