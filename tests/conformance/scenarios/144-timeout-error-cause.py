"""144 The TimeoutError a timeout scope raises carries the CancelledError
it replaced as its __cause__.

The scope's exit raises TimeoutError from the CancelledError that
interrupted the body, so the cancellation stays visible as the cause
(test_timeouts.py test_timeout_exception_cause).
"""
import asyncio
from harness import run, trace, code


async def main():
    try:
        async with asyncio.timeout(1):
            await asyncio.sleep(5)
    except TimeoutError as e:
        cause = e.__cause__
        trace(f'main: caught {code(e)} cause={code(cause) if cause is not None else "none"}')

run(main())
