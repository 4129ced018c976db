"""95 waiting getters are served in the order they began waiting, and a
getter cancelled while waiting is skipped without losing an item

(asyncio docs: Queue.get; test_queues.py QueueGetTests.test_get_cancelled_race,
test_cancelled_getters_not_being_held_in_self_getters)."""
import asyncio
from harness import run, trace


async def getter(q, name):
    try:
        v = await q.get()
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise
    trace(f'{name}: got {v}')


async def main():
    q = asyncio.Queue()
    tasks = [asyncio.create_task(getter(q, n)) for n in ('G1', 'G2', 'G3', 'G4')]
    await asyncio.sleep(1)
    tasks[1].cancel()
    await asyncio.sleep(1)
    for i in (10, 20, 30):
        q.put_nowait(i)
    for t in tasks:
        try:
            await t
        except asyncio.CancelledError:
            pass
    trace(f'main: qsize={q.qsize()}')

run(main())
