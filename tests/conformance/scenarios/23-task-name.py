"""23 a task's name can be set after creation and read from inside it.

Task.set_name before the task's first step changes what get_name, called
from the task itself through current_task(), returns (asyncio docs,
Task.set_name / Task.get_name).
"""
import asyncio
from harness import run, say


async def body():
    say(f'T: my name is {asyncio.current_task().get_name()}')


async def main():
    t = asyncio.create_task(body())
    t.set_name('worker-1')
    await t

run(main())
