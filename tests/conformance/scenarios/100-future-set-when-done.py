"""100 completing a future that is already done raises InvalidStateError

set_result and set_exception on a future that holds a result, or that was
cancelled, raise asyncio.InvalidStateError and leave the future as it was
(asyncio docs, Future.set_result; test_futures.py test_result,
test_exception)."""
import asyncio
from harness import run, say, describe


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.set_result(1)
    try:
        f.set_result(2)
    except asyncio.InvalidStateError as e:
        say(f'set_result again: {describe(e)}')
    try:
        f.set_exception(ValueError('late'))
    except asyncio.InvalidStateError as e:
        say(f'set_exception after result: {describe(e)}')
    say(f'result still {f.result()}')
    g = loop.create_future()
    g.cancel()
    try:
        g.set_result(3)
    except asyncio.InvalidStateError as e:
        say(f'set_result after cancel: {describe(e)}')
    say(f'cancelled={int(g.cancelled())}')

run(main())
