"""164 gather() of nothing is already done with an empty result list:
awaiting it does not suspend.

(asyncio docs, gather; test_tasks.py
GatherTestsBase.test_constructor_empty_sequence_use_running_loop.)
"""
import asyncio
from harness import run, trace


async def bystander():
    trace('bystander: ran')


async def main():
    asyncio.create_task(bystander())
    g = asyncio.gather()
    trace(f'main: done before awaiting={int(g.done())}')
    results = await g
    trace(f'main: results=[{", ".join(map(str, results))}] count={len(results)}')
    results = await asyncio.gather(return_exceptions=True)
    trace(f'main: with return_exceptions count={len(results)}')
    await asyncio.sleep(0)
    trace('main: done')

run(main())
