"""121 timers: call_later and call_at with one deadline run in order; a
cancelled timer never runs

Two timers due at the same loop time, one made with call_later and one
with call_at, run in the order they were scheduled; a timer cancelled
before it is due never runs (asyncio docs, loop.call_later, "Callbacks
scheduled for exactly the same time"; TimerHandle.cancel; test_events.py
test_call_later; base_events.py _run_once).
Only pairs: CPython keeps this order for two timers with one deadline, not
always for three or more (its timer heap is not a stable sort)."""
import asyncio
from harness import run, trace


async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(1, trace, 'A: call_later(1)')
    loop.call_at(1.0, trace, 'B: call_at(1)')
    dropped = loop.call_later(0.5, trace, 'never printed')
    loop.call_at(2.0, trace, 'C: call_at(2)')
    loop.call_later(2, trace, 'D: call_later(2)')
    dropped.cancel()
    trace(f'main: dropped cancelled={int(dropped.cancelled())}')
    await asyncio.sleep(3)
    trace('main: done')

run(main())
