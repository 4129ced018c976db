"""174 Both a child and the group's body fail: the ExceptionGroup holds the
child's error first, then the body's.

The child's failure cancels the body; the body turns that cancellation
into an error of its own, which the group appends after the errors of its
children (asyncio docs, TaskGroup; test_taskgroups.py test_taskgroup_21a).
"""
import asyncio
import errno
from harness import run, trace, describe


async def fail():
    await asyncio.sleep(1)
    raise ValueError('child failed')


async def main():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail())
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                raise ConnectionResetError(errno.ECONNRESET, 'body failed')
    except ExceptionGroup as e:
        trace(f'main: {describe(e)} [' + ', '.join(describe(x) for x in e.exceptions) + ']')
    trace(f'main: cancelling={me.cancelling()}')

run(main())
