"""115 a closed loop refuses new work with 'Event loop is closed'

After close(), call_soon, call_later and run_until_complete on the loop
raise RuntimeError('Event loop is closed'); closing again is harmless and
is_closed() tells (asyncio docs, loop.close; test_base_events.py
test_close; base_events.py _check_closed)."""
import asyncio
from harness import run, say, describe, VirtualClockLoop


async def main():
    loop = VirtualClockLoop()
    fut = loop.create_future()
    say(f'new loop: closed={int(loop.is_closed())}')
    loop.close()
    say(f'after close: closed={int(loop.is_closed())}')
    try:
        loop.call_soon(say, 'never printed')
    except RuntimeError as e:
        say(f'call_soon: {describe(e)}')
    try:
        loop.call_later(1, say, 'never printed')
    except RuntimeError as e:
        say(f'call_later: {describe(e)}')
    try:
        loop.run_until_complete(fut)
    except RuntimeError as e:
        say(f'run_until_complete: {describe(e)}')
    loop.close()
    say(f'closed twice: closed={int(loop.is_closed())}')

run(main())
