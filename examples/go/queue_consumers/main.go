// queue_consumers — one producer, two consumers and join, on a Queue of Go
// values.
//
// The Go twin of asyncio's Queue example, with 3.13's shutdown:
//
//	async def producer(queue, num_items):
//	    for i in range(num_items):
//	        item = f"item-{i}"
//	        await asyncio.sleep(...)            # simulate work
//	        await queue.put(item)
//	        print(f"Producer: Put {item} into queue")
//	    await asyncio.sleep(...)
//	    await queue.put(None)                   # the sentinel
//	    print("Producer: Put None into queue")
//	    queue.shutdown()                        # no more puts; gets drain
//
//	async def consumer(queue, consumer_id):
//	    while True:
//	        try:
//	            item = await queue.get()
//	        except asyncio.QueueShutDown:
//	            break
//	        print(f"Consumer {consumer_id}: Got {item} from queue")
//	        if item is None:
//	            queue.task_done()
//	            break
//	        await asyncio.sleep(...)            # simulate work
//	        queue.task_done()
//	    print(f"Consumer {consumer_id}: Finished")
//
//	async def main_queue():
//	    print("Starting main_queue")
//	    queue = asyncio.Queue()
//	    producer_task = asyncio.create_task(producer(queue, 5))
//	    consumer_tasks = [asyncio.create_task(consumer(queue, i)) for i in range(2)]
//	    await asyncio.gather(producer_task, *consumer_tasks)
//	    await queue.join()
//	    print("Finished main_queue")
//
// The random delays of the original are fixed, as in the C twin: the
// producer works 0.1 s then 0.2 s per item and 0.3 s before the sentinel;
// each consumer works 0.3 s per item. The items are Go strings and the
// sentinel is Go's nil.
package main

import (
	"errors"
	"fmt"
	"time"

	"asyncore"
	"asyncore-examples/internal/cli"
)

var produceDelay = []time.Duration{100, 200, 200, 200, 200, 300}

const consumeDelay = 300 * time.Millisecond

func producer(queue *asyncore.Queue, numItems int) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		for i := 0; i < numItems; i++ {
			item := fmt.Sprintf("item-%d", i)
			if err := co.Sleep(produceDelay[i] * time.Millisecond); err != nil {
				return nil, err
			}
			// The queue is unbounded, so a put never waits (in asyncio it
			// then does not suspend either): put without awaiting.
			if err := queue.PutNowait(item); err != nil {
				return nil, err
			}
			fmt.Printf("Producer: Put %s into queue\n", item)
		}
		if err := co.Sleep(produceDelay[numItems] * time.Millisecond); err != nil {
			return nil, err
		}
		if err := queue.PutNowait(nil); err != nil {
			return nil, err
		}
		fmt.Println("Producer: Put None into queue")
		return nil, queue.Shutdown(false)
	}
}

func consumer(queue *asyncore.Queue, consumerID int) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		for {
			item, err := queue.Get(co)
			if errors.Is(err, asyncore.ErrShutdown) {
				break
			}
			if err != nil {
				return nil, err
			}
			if item == nil {
				fmt.Printf("Consumer %d: Got None from queue\n", consumerID)
				queue.TaskDone()
				break
			}
			fmt.Printf("Consumer %d: Got %s from queue\n", consumerID, item)
			if err := co.Sleep(consumeDelay); err != nil {
				return nil, err
			}
			queue.TaskDone()
		}
		fmt.Printf("Consumer %d: Finished\n", consumerID)
		return nil, nil
	}
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Starting main_queue")
		queue, err := co.Loop().NewQueue(0)
		if err != nil {
			return nil, err
		}
		tasks := []asyncore.TaskFunc{producer(queue, 5), consumer(queue, 0), consumer(queue, 1)}
		var started []asyncore.Awaitable
		for _, fn := range tasks {
			t, err := co.Go(fn)
			if err != nil {
				return nil, err
			}
			started = append(started, t)
		}
		if _, err := co.Gather(started...); err != nil {
			return nil, err
		}
		if err := queue.Join(co); err != nil {
			return nil, err
		}
		fmt.Println("Finished main_queue")
		return nil, nil
	})
}
