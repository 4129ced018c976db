"""131 run() returns after the iteration that follows main's completion:
a task made ready by main's last step still takes that step, then is
cancelled with the other leftovers.

run_until_complete stops the loop from the main task's done-callback
(loop.stop() lets the iteration under way finish), so a task created in
main's last step runs its first step before run() cancels it (asyncio:
base_events.run_until_complete, _run_until_complete_cb; runners.Runner.run).
"""
import asyncio
from harness import run, trace, say


async def other():
    trace('other: started')
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        trace('other: cancelled')
        raise


async def main():
    asyncio.create_task(other())
    trace('main: done')
    return 3

say(f'run returned {run(main())}')
