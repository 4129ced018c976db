"""127 a future is cancelled once; a done one cannot be cancelled

Future.cancel() on a pending future returns True, makes it done and
cancelled and schedules its callbacks; a second cancel() returns False and
keeps the first message; cancel() on a future with a result returns False
and keeps the result (asyncio docs, Future.cancel; test_futures.py
test_cancel, test_future_cancel_message_getter)."""
import asyncio
from harness import run, say, describe


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.add_done_callback(lambda fut: say(f'callback: cancelled={int(fut.cancelled())}'))
    say(f'cancel -> {int(f.cancel("first"))}')
    say(f'cancel again -> {int(f.cancel("second"))}')
    say(f'done={int(f.done())} cancelled={int(f.cancelled())}')
    try:
        f.result()
    except asyncio.CancelledError as e:
        say(f'result(): {describe(e)}')
    g = loop.create_future()
    g.set_result(4)
    say(f'cancel a done future -> {int(g.cancel())}; result={g.result()}')
    await asyncio.sleep(0)

run(main())
