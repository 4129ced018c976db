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
// In Go the coroutine object is a TaskFunc value: taking it runs nothing;
// only handing it to a loop (asyncore.Run, Co.Go) does, so "Starting
// my_coroutine" is never printed. No loop is started at all.
package main

import (
	"flag"
	"fmt"
	"time"

	"asyncore"
	_ "asyncore-examples/internal/cli" // the --virtual-clock flag every example accepts
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
	var coroObj asyncore.TaskFunc = myCoroutine
	_ = coroObj // never handed to a loop
	// Python names the type "coroutine"; the line is the seed's.
	fmt.Println("Type of coro_obj: <class 'coroutine'>")
}
