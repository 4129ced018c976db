# coroutine_object.py — the async/await evolution guide's example, as CPython runs it:
# 3.1.1 Defining Coroutine Functions.
# examples/expected/coroutine_object.txt is what this program prints.
import asyncio

async def my_coroutine():
    print("Starting my_coroutine")
    await asyncio.sleep(1) # Simulate an I/O bound operation
    print("Finished my_coroutine")

# Calling it directly returns a coroutine object, doesn't run it
coro_obj = my_coroutine()
print(f"Type of coro_obj: {type(coro_obj)}")
