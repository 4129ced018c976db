"""44 a thread-safe future completed by another thread wakes the task
awaiting it.

A concurrent.futures.Future set by another thread, awaited through
asyncio.wrap_future, completes the asyncio future on the loop's thread and
resumes the task (asyncio docs, asyncio.wrap_future).
"""
import asyncio
import concurrent.futures
import threading
from harness import run, say, hold_clock, release_clock


async def main():
    f = concurrent.futures.Future()
    hold_clock()  # the other thread's work: no virtual time passes meanwhile
    th = threading.Thread(target=f.set_result, args=(7,))
    th.start()
    r = await asyncio.wrap_future(f)
    release_clock()
    say(f'main: got {r}')
    th.join()

run(main())
