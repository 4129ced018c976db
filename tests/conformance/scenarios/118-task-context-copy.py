"""118 a task copies the context when it is created

create_task copies the current context at that call, not when the task
first runs: a change the creator makes afterwards is not seen by the task,
a change the task makes is seen by the tasks it creates but never by its
creator (asyncio docs, create_task: "the current context is copied";
test_tasks.py test_context_1, test_context_3)."""
import asyncio
import contextvars
from harness import run, say

K = contextvars.ContextVar('K', default='unset')


async def grandchild():
    say(f'G sees {K.get()}')


async def child():
    say(f'C sees {K.get()}')
    K.set('child')
    await asyncio.create_task(grandchild())
    say(f'C still sees {K.get()}')


async def main():
    K.set('before create')
    t = asyncio.create_task(child())
    K.set('after create')
    await t
    say(f'main sees {K.get()}')

run(main())
