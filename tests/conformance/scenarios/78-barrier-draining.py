"""78 a task that calls wait() while the barrier is still releasing its
last round waits for the next round

Once the last party arrives, the barrier drains: until every party of
that round has left wait(), newcomers are held back and n_waiting reads 0;
they then fill the next round (asyncio docs: Barrier, "draining";
test_locks.py BarrierTests.test_draining_state,
test_blocking_tasks_while_draining)."""
import asyncio
from harness import run, trace


async def party(b, name):
    trace(f'{name} arrives: n_waiting={b.n_waiting}')
    i = await b.wait()
    trace(f'{name} passed: index={i}')


async def main():
    b = asyncio.Barrier(2)
    tasks = [asyncio.create_task(party(b, name)) for name in 'ABCD']
    for t in tasks:
        await t
    trace(f'main: n_waiting={b.n_waiting} broken={int(b.broken)}')

run(main())
