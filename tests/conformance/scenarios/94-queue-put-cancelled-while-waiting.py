"""94 a put() cancelled while it waits for room never inserts its item;
the blocked puts around it keep their order

(test_queues.py QueuePutTests.test_put_cancelled_race,
test_cancelled_puts_not_being_held_in_self_putters)."""
import asyncio
from harness import run, trace


async def putter(q, name, item):
    try:
        await q.put(item)
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise
    trace(f'{name}: put {item}')


async def main():
    q = asyncio.Queue(1)
    tasks = [asyncio.create_task(putter(q, n, i)) for n, i in (('A', 'a'), ('B', 'b'), ('C', 'c'), ('D', 'd'))]
    await asyncio.sleep(1)
    tasks[2].cancel()
    await asyncio.sleep(1)
    got = []
    while len(got) < 3:
        got.append(await q.get())
    trace(f'main: got {", ".join(got)}, qsize={q.qsize()}')
    for t in tasks:
        try:
            await t
        except asyncio.CancelledError:
            pass

run(main())
