"""19 run() cancels the tasks main leaves behind, lets them finish, and
returns main's result.

When the main coroutine returns, asyncio.run cancels every task still
pending and runs the loop until they are done before closing it
(asyncio docs, asyncio.run / Runner.close).
"""
import asyncio
from harness import run, trace, say


async def leftover():
    try:
        await asyncio.sleep(100)
    except asyncio.CancelledError:
        trace('L: cancelled')
        raise


async def main():
    asyncio.create_task(leftover())
    await asyncio.sleep(1)
    return 7

say(f'run returned {run(main())}')
