// semaphore_workers — at most two of five workers at a time (Semaphore).
//
// The Go twin of asyncio's Semaphore example:
//
//	semaphore = asyncio.Semaphore(2)
//
//	async def limited_worker(task_id):
//	    print(f"Task {task_id}: Waiting for semaphore")
//	    async with semaphore:
//	        print(f"Task {task_id}: Acquired semaphore, working...")
//	        await asyncio.sleep(1)
//	        print(f"Task {task_id}: Releasing semaphore")
//
//	async def main_semaphore():
//	    print("Starting main_semaphore")
//	    tasks = [asyncio.create_task(limited_worker(i)) for i in range(5)]
//	    await asyncio.gather(*tasks)
//	    print("Finished main_semaphore")
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		semaphore, err := co.Loop().NewSemaphore(2)
		if err != nil {
			return nil, err
		}
		limitedWorker := func(taskID int) asyncore.TaskFunc {
			return func(co *asyncore.Co) (any, error) {
				fmt.Printf("Task %d: Waiting for semaphore\n", taskID)
				return nil, semaphore.With(co, func() error {
					fmt.Printf("Task %d: Acquired semaphore, working...\n", taskID)
					if err := co.Sleep(time.Second); err != nil {
						return err
					}
					fmt.Printf("Task %d: Releasing semaphore\n", taskID)
					return nil
				})
			}
		}
		fmt.Println("Starting main_semaphore")
		var tasks []asyncore.Awaitable
		for i := 0; i < 5; i++ {
			t, err := co.Go(limitedWorker(i))
			if err != nil {
				return nil, err
			}
			tasks = append(tasks, t)
		}
		if _, err := co.Gather(tasks...); err != nil {
			return nil, err
		}
		fmt.Println("Finished main_semaphore")
		return nil, nil
	})
}
