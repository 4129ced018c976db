"""101 reading a pending future raises InvalidStateError

result() and exception() of a future that is not done raise
asyncio.InvalidStateError; once done, exception() returns the error (None
for a result) without raising and result() raises it; both raise
CancelledError for a cancelled future (asyncio docs, Future.result and
Future.exception; test_futures.py test_result, test_exception,
test_cancel)."""
import asyncio
from harness import run, say, describe


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    try:
        f.result()
    except asyncio.InvalidStateError as e:
        say(f'result() pending: {describe(e)}')
    try:
        f.exception()
    except asyncio.InvalidStateError as e:
        say(f'exception() pending: {describe(e)}')
    f.set_exception(ValueError('bad value'))
    say(f'exception() failed: {describe(f.exception())}')
    try:
        f.result()
    except ValueError as e:
        say(f'result() failed: {describe(e)}')
    g = loop.create_future()
    g.cancel()
    for name, read in (('result', g.result), ('exception', g.exception)):
        try:
            read()
        except asyncio.CancelledError as e:
            say(f'{name}() cancelled: {describe(e)}')

run(main())
