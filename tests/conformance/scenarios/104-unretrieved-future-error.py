"""104 a failed future whose error nobody read is reported when dropped

A future that failed and is released without anyone having read its error
(result(), exception(), or an await) is reported to the loop's exception
handler, with the context keys 'message', 'exception' and 'future'; one
whose error was read is released silently (asyncio docs, "Detect never-
retrieved exceptions"; test_futures.py
test_future_exception_never_retrieved)."""
import asyncio
from harness import run, trace, code


def handler(loop, context):
    trace(f"handler: {context['message']}; keys={', '.join(sorted(context))}; "
          f"error={code(context['exception'])}")


async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(handler)
    read = loop.create_future()
    read.set_exception(ConnectionResetError(104, 'peer reset'))
    trace(f'main: read error={code(read.exception())}')
    read = None
    trace('main: dropped the read one')
    unread = loop.create_future()
    unread.set_exception(BrokenPipeError(32, 'pipe closed'))
    unread = None
    trace('main: dropped the unread one')

run(main())
