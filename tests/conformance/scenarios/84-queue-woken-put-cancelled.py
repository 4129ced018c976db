"""84 a put() woken by a freed slot but cancelled before it runs does not
insert its item: the slot goes to the next blocked put, and a retried put
inserts its item exactly once

A blocked put() only inserts when its task runs; a cancelled one passes
its wake-up on (test_queues.py QueuePutTests.test_put_cancel_drop,
test_cancelled_put_silence_value_error_exception)."""
import asyncio
from harness import run, trace


async def putter(q, name, item):
    try:
        await q.put(item)
    except asyncio.CancelledError:
        trace(f'{name}: cancelled, qsize={q.qsize()}')
        raise
    trace(f'{name}: put {item}, qsize={q.qsize()}')


async def main():
    q = asyncio.Queue(1)
    q.put_nowait('x')
    p1 = asyncio.create_task(putter(q, 'P1', 'a'))
    p2 = asyncio.create_task(putter(q, 'P2', 'b'))
    await asyncio.sleep(1)
    trace(f'main: got {q.get_nowait()}')  # frees the slot: P1 is woken ...
    p1.cancel()                             # ... and cancelled before it runs
    await asyncio.sleep(1)
    trace(f'main: P1 cancelled={int(p1.cancelled())} P2 done={int(p2.done())}, qsize={q.qsize()}')
    asyncio.create_task(putter(q, 'P1 again', 'a'))
    await asyncio.sleep(1)
    trace(f'main: got {q.get_nowait()}')
    await asyncio.sleep(1)
    trace(f'main: got {q.get_nowait()}, qsize={q.qsize()}')

run(main())
