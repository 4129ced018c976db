// hello_world — the smallest program: one task, one sleep (asyncio.run).
//
// The Go twin of:
//
//	async def main():
//	    print("Hello")
//	    await asyncio.sleep(0.1)
//	    print("World")
//
//	asyncio.run(main())
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Hello")
		if err := co.Sleep(100 * time.Millisecond); err != nil {
			return nil, err
		}
		fmt.Println("World")
		return nil, nil
	})
}
