# queue_consumers.py — the async/await evolution guide's example, as CPython runs it:
# 3.3.3 Queues.
# examples/expected/queue_consumers.txt is what this program prints.
import asyncio
import itertools
import random

# Changed from the guide: random.uniform gives fixed draws from the guide's
# ranges (each range its own list, taken in call order), the same in every
# language's twin, so that every run prints the same lines.
_draws = {(0.1, 0.5): iter([0.1, 0.25, 0.2, 0.25, 0.2]),
          (0.2, 0.6): itertools.repeat(0.3)}
random.uniform = lambda a, b: next(_draws[(a, b)])

async def producer(queue, num_items):
    for i in range(num_items):
        item = f"item-{i}"
        await asyncio.sleep(random.uniform(0.1, 0.5)) # Simulate work
        await queue.put(item)
        print(f"Producer: Put {item} into queue")
    # Changed from the guide, which puts a single None: with two consumers
    # the second one then waits forever and the program never ends. One
    # sentinel per consumer (main starts two) lets both stop.
    for _ in range(2):
        await queue.put(None) # Sentinel to signal consumer to stop

async def consumer(queue, consumer_id):
    while True:
        item = await queue.get()
        if item is None:
            queue.task_done()
            break
        print(f"Consumer {consumer_id}: Got {item} from queue")
        await asyncio.sleep(random.uniform(0.2, 0.6)) # Simulate work
        queue.task_done()
    print(f"Consumer {consumer_id}: Finished")

async def main_queue():
    print("Starting main_queue")
    queue = asyncio.Queue()
    
    producer_task = asyncio.create_task(producer(queue, 5))
    consumer_tasks = [asyncio.create_task(consumer(queue, i)) for i in range(2)]

    await asyncio.gather(producer_task, *consumer_tasks)
    await queue.join() # Wait until all items in the queue have been processed
    print("Finished main_queue")

if __name__ == "__main__":
    asyncio.run(main_queue())
