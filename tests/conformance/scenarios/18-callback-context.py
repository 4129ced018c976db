"""18 a callback runs in the context that was current when it was scheduled.

call_soon copies the current context when no context is given, so each
callback sees the value set just before it was scheduled (asyncio docs,
loop.call_soon "context" parameter).
"""
import asyncio
import contextvars
from harness import run, say

K = contextvars.ContextVar('K')


def sees(name):
    say(f'{name} sees {K.get()}')


async def main():
    loop = asyncio.get_running_loop()
    K.set('one')
    loop.call_soon(sees, 'cb1')
    K.set('two')
    loop.call_soon(sees, 'cb2')
    await asyncio.sleep(0)

run(main())
