"""103 remove_done_callback removes every registration and counts them

remove_done_callback(fn) removes every registration of fn not yet
scheduled and returns how many it removed; the other callbacks still run,
in their order. Once the future is done its callbacks are scheduled, and
removing them then finds nothing (asyncio docs,
Future.remove_done_callback; test_futures.py test_remove_done_callback)."""
import asyncio
from harness import run, say


def cb_a(fut):
    say('A ran')


def cb_b(fut):
    say('B ran')


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    for cb in (cb_a, cb_b, cb_a, cb_b, cb_a):
        f.add_done_callback(cb)
    say(f'remove A -> {f.remove_done_callback(cb_a)}')
    say(f'remove A again -> {f.remove_done_callback(cb_a)}')
    f.set_result(None)
    say(f'remove B after done -> {f.remove_done_callback(cb_b)}')
    await asyncio.sleep(0)
    say('main: done')

run(main())
