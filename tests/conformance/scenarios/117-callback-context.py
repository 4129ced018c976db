"""117 callbacks a task schedules run in the task's context of that moment

call_soon, call_later and add_done_callback capture the context current
when they are called, so a callback scheduled by a task sees the task's
values as they were then: neither a later change by the task nor the
values of the task running when the callback fires (asyncio docs,
loop.call_soon and Future.add_done_callback: "the current context is used
when no context is provided"; events.py Handle copies the context)."""
import asyncio
import contextvars
from harness import run, trace

K = contextvars.ContextVar('K', default='unset')


def show(name):
    trace(f'{name} sees {K.get()}')


async def worker():
    loop = asyncio.get_running_loop()
    K.set('worker')
    loop.call_soon(show, 'soon')
    loop.call_later(1, show, 'later')
    f = loop.create_future()
    f.add_done_callback(lambda _: show('done-callback'))
    K.set('worker, changed')
    f.set_result(None)
    show('worker')


async def main():
    K.set('main')
    await asyncio.create_task(worker())
    show('main')
    await asyncio.sleep(2)

run(main())
