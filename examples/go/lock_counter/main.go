// lock_counter — five tasks increment a shared counter under a Lock.
//
// The Go twin of asyncio's Lock example:
//
//	lock = asyncio.Lock()
//	shared_resource = 0
//
//	async def increment_with_lock(task_id):
//	    global shared_resource
//	    print(f"Task {task_id}: Trying to acquire lock")
//	    async with lock:
//	        print(f"Task {task_id}: Lock acquired, current resource: {shared_resource}")
//	        await asyncio.sleep(0.01)
//	        shared_resource += 1
//	        print(f"Task {task_id}: Resource incremented to {shared_resource}, releasing lock")
//
//	async def main_lock():
//	    print("Starting main_lock")
//	    tasks = [asyncio.create_task(increment_with_lock(i)) for i in range(5)]
//	    await asyncio.gather(*tasks)
//	    print(f"Final shared resource value: {shared_resource}")
//
// As in asyncio, the first task takes the free lock at once; the others
// announce themselves and get the lock one after the other in the order
// they asked for it. The counter needs no Go mutex: only one task runs at a
// time.
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		lock, err := co.Loop().NewLock()
		if err != nil {
			return nil, err
		}
		sharedResource := 0
		incrementWithLock := func(taskID int) asyncore.TaskFunc {
			return func(co *asyncore.Co) (any, error) {
				fmt.Printf("Task %d: Trying to acquire lock\n", taskID)
				return nil, lock.With(co, func() error {
					fmt.Printf("Task %d: Lock acquired, current resource: %d\n", taskID, sharedResource)
					if err := co.Sleep(10 * time.Millisecond); err != nil {
						return err
					}
					sharedResource++
					fmt.Printf("Task %d: Resource incremented to %d, releasing lock\n", taskID, sharedResource)
					return nil
				})
			}
		}
		fmt.Println("Starting main_lock")
		var tasks []asyncore.Awaitable
		for i := 0; i < 5; i++ {
			t, err := co.Go(incrementWithLock(i))
			if err != nil {
				return nil, err
			}
			tasks = append(tasks, t)
		}
		if _, err := co.Gather(tasks...); err != nil {
			return nil, err
		}
		fmt.Printf("Final shared resource value: %d\n", sharedResource)
		return nil, nil
	})
}
