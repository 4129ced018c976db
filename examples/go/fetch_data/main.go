// fetch_data — coroutines that return values, run concurrently with
// gather.
//
// The Go twin of:
//
//	async def fetch_data(delay_seconds: int, item: str):
//	    print(f"Start fetching {item}...")
//	    await asyncio.sleep(delay_seconds)
//	    print(f"Finished fetching {item}!")
//	    return f"Data for {item}"
//
//	async def main():
//	    print("Main started")
//	    coroutine1 = fetch_data(2, "user_profile")
//	    coroutine2 = fetch_data(1, "product_catalog")
//	    results = await asyncio.gather(coroutine1, coroutine2)
//	    print(f"Results: {results}")
//	    print("Main finished")
//
// A Python coroutine object does nothing until scheduled; the Go analogue
// is a TaskFunc value, which runs once handed to co.Go.
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"asyncore-examples/internal/pyfmt"
	"libasyncore.org/go/asyncore"
)

func fetchData(delaySeconds int, item string) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		fmt.Printf("Start fetching %s...\n", item)
		if err := co.Sleep(time.Duration(delaySeconds) * time.Second); err != nil {
			return nil, err
		}
		fmt.Printf("Finished fetching %s!\n", item)
		return "Data for " + item, nil
	}
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Main started")
		coroutine1 := fetchData(2, "user_profile")
		coroutine2 := fetchData(1, "product_catalog")
		t1, err := co.Go(coroutine1)
		if err != nil {
			return nil, err
		}
		t2, err := co.Go(coroutine2)
		if err != nil {
			return nil, err
		}
		results, err := co.Gather(t1, t2)
		if err != nil {
			return nil, err
		}
		fmt.Printf("Results: %s\n", pyfmt.Repr(results))
		fmt.Println("Main finished")
		return nil, nil
	})
}
