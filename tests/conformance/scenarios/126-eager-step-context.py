"""126 an eager task's first step runs as that task, in its own context

With eager start, the first step inside create_task runs with the new task
as current_task() and in the task's copy of the context: what it sets is
not seen by its creator; after it suspends, the rest runs as an ordinary
task (asyncio docs, asyncio.eager_task_factory; test_eager_task_factory.py
test_current_task, test_context_vars; gh-97696)."""
import asyncio
import contextvars
from harness import run, say

K = contextvars.ContextVar('K', default='unset')


async def body(main_task):
    me = asyncio.current_task()
    say(f'E: first step, is main={int(me is main_task)}, sees {K.get()}')
    K.set('eager')
    await asyncio.sleep(0)
    say(f'E: second step, sees {K.get()}')


async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(getattr(asyncio, 'eager_task_factory', None))
    me = asyncio.current_task()
    K.set('main')
    t = asyncio.create_task(body(me))
    say(f'main: created, current is main={int(asyncio.current_task() is me)}, sees {K.get()}')
    await t
    say('main: done')

run(main())
