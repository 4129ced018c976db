"""122 a due timer joins the ready queue behind the callbacks already ready

Each loop iteration first moves the timers that are due to the end of the
ready queue, then runs what the queue held: so a timer scheduled with
call_later(0) before two call_soon callbacks runs after them, and after a
task step that was already ready; what those callbacks schedule waits for
the next iteration (base_events.py BaseEventLoop._run_once; test_events.py
test_call_later)."""
import asyncio
from harness import run, say


async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(0, say, 'timer: call_later(0)')
    loop.call_soon(say, 'soon 1')
    loop.call_soon(say, 'soon 2')
    await asyncio.sleep(0)
    say('main: after sleep(0)')
    await asyncio.sleep(0)
    say('main: after second sleep(0)')

run(main())
