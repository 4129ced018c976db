"""165 gather of children that are all done already completes when it is
made: awaiting it does not suspend, so a task made ready before does not
run in between.

asyncio 3.12 runs gather's completion step at once for every child already
done (for eager tasks), so the gather is done on return (CPython gh-97696;
asyncio docs, gather).
"""
import asyncio
from harness import run, trace


async def value(v):
    return v


async def bystander():
    trace('bystander: ran')


async def main():
    a = asyncio.create_task(value(1))
    b = asyncio.create_task(value(2))
    await asyncio.sleep(0)
    asyncio.create_task(bystander())
    g = asyncio.gather(a, b)
    trace(f'main: gather done at once={int(g.done())}')
    results = await g
    trace(f'main: results=[{results[0]}, {results[1]}]')
    await asyncio.sleep(0)
    trace('main: done')

run(main())
