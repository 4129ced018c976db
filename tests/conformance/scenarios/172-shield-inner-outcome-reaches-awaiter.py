"""172 The shield passes the inner task's outcome to its awaiter: an inner
error arrives as that same error; an inner task cancelled by someone else
cancels the shield, and the awaiter gets CancelledError.

(asyncio docs, shield; test_tasks.py test_shield_exception,
test_shield_cancel_inner.)
"""
import asyncio
from harness import run, trace, code, describe


async def failing():
    await asyncio.sleep(1)
    raise ValueError('inner failed')


async def sleeping():
    await asyncio.sleep(10)


async def main():
    a = asyncio.create_task(failing())
    try:
        await asyncio.shield(a)
    except ValueError as e:
        trace(f'main: caught {describe(e)} same={int(e is a.exception())}')

    b = asyncio.create_task(sleeping())
    guard = asyncio.shield(b)
    asyncio.get_running_loop().call_later(1, b.cancel)
    try:
        await guard
    except asyncio.CancelledError as e:
        trace(f'main: caught {code(e)} shield cancelled={int(guard.cancelled())}')

run(main())
