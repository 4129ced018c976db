"""123 call_later with a negative delay, or call_at in the past, runs soon

A negative delay is no error: the timer is due at once. Due timers run
by deadline, earliest first, whatever order they were scheduled in; when()
gives the deadline as computed (asyncio docs, loop.call_later;
test_base_events.py test_call_later_negative_delays)."""
import asyncio
from harness import run, trace


async def main():
    loop = asyncio.get_running_loop()
    zero = loop.call_later(0, trace, 'zero')
    neg = loop.call_later(-1, trace, 'negative')
    past = loop.call_at(loop.time() - 5, trace, 'past')
    trace(f'main: when {round(zero.when() * 1000)}, {round(neg.when() * 1000)}, '
          f'{round(past.when() * 1000)}')
    await asyncio.sleep(1)
    trace('main: done')

run(main())
