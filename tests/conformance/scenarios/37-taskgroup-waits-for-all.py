"""37 leaving a TaskGroup's block waits for all its tasks.

async with TaskGroup() exits only when every task created in it is done
(asyncio docs, "Task Groups").
"""
import asyncio
from harness import run, trace


async def worker(name, delay, value):
    await asyncio.sleep(delay)
    trace(f'{name}: done')
    return value


async def main():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(worker('A', 2, 0))
        tg.create_task(worker('B', 1, 0))
    trace('main: group done')

run(main())
