"""40 an error raised in a TaskGroup's body cancels its tasks and joins the
group's error.

When the body of async with TaskGroup() raises, the group cancels its
tasks, waits for them, and raises an ExceptionGroup holding the body's
error (asyncio docs, "Task Groups").
"""
import asyncio
from harness import run, trace, code


async def sleeper(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(sleeper('B'))
            await asyncio.sleep(1)
            raise ValueError('invalid argument')
    except BaseExceptionGroup as e:
        trace(f'main: {len(e.exceptions)} errors: {", ".join(code(x) for x in e.exceptions)}')

run(main())
