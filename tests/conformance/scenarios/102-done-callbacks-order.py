"""102 done-callbacks run in the order added, through the ready queue

Completing a future schedules its done-callbacks with call_soon, in the
order they were added; none runs inside set_result. A callback added to a
future that is already done is scheduled at once, so it runs after the
callbacks that were ready before it (asyncio docs, Future.add_done_callback;
test_futures.py test_callbacks_invoked_on_set_result)."""
import asyncio
from harness import run, say


def named(name):
    return lambda fut: say(f'{name}: result={fut.result()}')


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.add_done_callback(named('cb1'))
    f.add_done_callback(named('cb2'))
    f.set_result(5)
    say('main: set_result returned')
    loop.call_soon(say, 'soon: X')
    f.add_done_callback(named('cb3'))
    say('main: cb3 added')
    await asyncio.sleep(0)
    say('main: resumed')

run(main())
