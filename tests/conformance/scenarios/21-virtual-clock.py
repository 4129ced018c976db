"""21 the virtual clock starts at 0 and jumps straight to each timer.

Every scenario runs on a loop whose clock starts at 0 and, when the loop
would wait for a timer, advances to it at once; times are exact
(libasyncore's AC_LOOP_VIRTUAL_CLOCK, harness.VirtualClockLoop).
"""
import asyncio
from harness import run, trace


async def main():
    trace('start')
    await asyncio.sleep(1.5)
    trace('after 1.5')
    await asyncio.sleep(0.25)
    trace('after 0.25')

run(main())
