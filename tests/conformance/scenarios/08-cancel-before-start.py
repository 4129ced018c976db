"""08 a task cancelled before its first step never runs its body.

cancel() on a task that has not started returns True, and the coroutine is
thrown CancelledError at its first step, so none of its code runs
(asyncio docs, Task.cancel).
"""
import asyncio
from harness import run, say


async def body():
    say('T: started')  # never printed


async def main():
    t = asyncio.create_task(body())
    say(f'main: cancel -> {int(t.cancel())}')
    try:
        await t
    except asyncio.CancelledError:
        say('main: T cancelled')

run(main())
