"""17 context variables flow down into tasks, never back up.

A task runs in a copy of the context current when it was created: it sees
the values set before create_task, and what it sets stays in its copy
(asyncio docs, "Tasks" context parameter; contextvars docs).
"""
import asyncio
import contextvars
from harness import run, say

K = contextvars.ContextVar('K')


async def child(name):
    say(f'{name} sees {K.get("none")}')
    K.set(name)


async def main():
    K.set('main')
    c1 = asyncio.create_task(child('C1'))
    K.set('main2')
    c2 = asyncio.create_task(child('C2'))
    await c1
    await c2
    say(f'main sees {K.get()}')

run(main())
