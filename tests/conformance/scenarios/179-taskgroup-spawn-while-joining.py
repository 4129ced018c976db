"""179 While the group waits for its children at the end of the block, a
child may still add tasks to it; the group waits for those as well.

Only a finished or shutting-down group refuses new tasks (asyncio docs,
TaskGroup; test_taskgroups.py test_taskgroup_24).
"""
import asyncio
from harness import run, trace


async def leaf(name, delay):
    await asyncio.sleep(delay)
    trace(f'{name}: finished')


async def root(tg):
    await asyncio.sleep(1)
    tg.create_task(leaf('leaf 1', 1))
    tg.create_task(leaf('leaf 2', 2))
    trace('root: added two tasks')


async def main():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(root(tg))
        trace('body: done')
    trace('main: group done')

run(main())
