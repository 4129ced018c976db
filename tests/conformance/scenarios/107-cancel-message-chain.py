"""107 a cancel message travels through a chain of awaiting tasks

Cancelling the outer task of a chain (main awaits A, A awaits B) cancels
what it waits on, so B sees the message first; A and main then see the
same message. Cancelling the innermost task instead reaches the tasks
awaiting it with its message too (asyncio docs, Task.cancel;
test_tasks.py test_cancel_with_message_then_future_exception,
test_cancel_inner_future)."""
import asyncio
from harness import run, trace, describe


async def inner(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        trace(f'{name}: {describe(e)}')
        raise


async def outer(name, inner_task):
    try:
        await inner_task
    except asyncio.CancelledError as e:
        trace(f'{name}: {describe(e)}')
        raise


async def chain(cancel_outer, message):
    b = asyncio.create_task(inner('B'))
    a = asyncio.create_task(outer('A', b))
    await asyncio.sleep(1)
    (a if cancel_outer else b).cancel(message)
    try:
        await a
    except asyncio.CancelledError as e:
        trace(f'main: {describe(e)}; A cancelled={int(a.cancelled())} '
              f'B cancelled={int(b.cancelled())}')


async def main():
    await chain(True, 'from the top')
    await chain(False, 'from the bottom')

run(main())
