"""119 to_thread runs the function in a copy of the caller's context

asyncio.to_thread runs the function on a worker thread inside a copy of
the calling task's context: the worker reads the task's values, and what
it sets stays in its copy (asyncio docs, asyncio.to_thread: "the current
contextvars.Context is propagated"; test_threads.py
test_to_thread_contextvars)."""
import asyncio
import contextvars
from harness import run, say

K = contextvars.ContextVar('K', default='unset')


def read_k():
    return K.get()


def write_k():
    K.set('worker')
    return K.get()


async def job():
    K.set('job')
    say(f'worker read {await asyncio.to_thread(read_k)}')
    say(f'worker set {await asyncio.to_thread(write_k)}')
    say(f'job sees {K.get()}')


async def main():
    K.set('main')
    await asyncio.create_task(job())
    say(f'main sees {K.get()}')

run(main())
