"""01 call_soon runs callbacks in FIFO order, each once; one scheduled by a
running callback runs after those already ready."""
import asyncio
from harness import run, trace, say


def cb(name):
    say(name)
    if name == 'A':
        asyncio.get_running_loop().call_soon(cb, 'D')


async def main():
    loop = asyncio.get_running_loop()
    for name in 'ABC':
        loop.call_soon(cb, name)
    await asyncio.sleep(1)
    trace('main: done')

run(main())
