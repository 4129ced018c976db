"""03 done-callbacks are scheduled on the loop, never run inline.

Completing a future schedules its done-callbacks with call_soon; a
callback added to a future that is already done is scheduled the same way.
They run in the order they were added, after the code that completed the
future has gone on (asyncio docs, Future.add_done_callback).
"""
import asyncio
from harness import run, say


def reporter(name):
    def callback(fut):
        say(f'{name}: result={fut.result()}')
    return callback


async def main():
    f = asyncio.get_running_loop().create_future()
    f.add_done_callback(reporter('cb1'))
    f.set_result(7)
    say('main: set_result returned')
    f.add_done_callback(reporter('cb2'))
    say('main: add after done returned')
    await asyncio.sleep(0)
    say('main: resumed')

run(main())
