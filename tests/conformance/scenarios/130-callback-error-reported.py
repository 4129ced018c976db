"""130 an error raised by a callback goes to the exception handler

A callback that raises does not stop the loop: the error is reported to
the exception handler, whose context has the keys 'message', 'exception'
and 'handle', and the next callbacks run as usual. A done-callback is run
the same way (asyncio docs, loop.call_exception_handler; events.py
Handle._run; test_base_events.py test_default_exc_handler_callback)."""
import asyncio
from harness import run, say, describe


def handler(loop, context):
    say(f"handler: keys={', '.join(sorted(context))}; error={describe(context['exception'])}")


def bad(what):
    raise ValueError(f'{what} failed')


async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(handler)
    loop.call_soon(bad, 'callback')
    loop.call_soon(say, 'next callback runs')
    f = loop.create_future()
    f.add_done_callback(lambda _: bad('done-callback'))
    f.add_done_callback(lambda _: say('next done-callback runs'))
    f.set_result(None)
    await asyncio.sleep(0)
    say('main: done')

run(main())
