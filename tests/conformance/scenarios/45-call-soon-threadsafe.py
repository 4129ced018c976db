"""45 call_soon_threadsafe from another thread runs the callback on the
loop's thread.

loop.call_soon_threadsafe, called from a thread of the scenario's own,
schedules the callback and wakes the loop; the callback runs on the thread
running the loop (asyncio docs, loop.call_soon_threadsafe).
"""
import asyncio
import threading
from harness import run, say, hold_clock, release_clock


async def main():
    loop = asyncio.get_running_loop()
    loop_thread = threading.current_thread()
    done = loop.create_future()

    def callback():
        say(f'callback: on the loop thread={int(threading.current_thread() is loop_thread)}')
        done.set_result(None)

    hold_clock()  # the virtual clock waits for the thread
    th = threading.Thread(target=loop.call_soon_threadsafe, args=(callback,))
    th.start()
    await done
    release_clock()
    say('main: done')
    th.join()

run(main())
