-- coroutine_object.lua — a coroutine that is not scheduled does not run:
--
--   async def my_coroutine():
--       print("Starting my_coroutine")
--       await asyncio.sleep(1)
--       print("Finished my_coroutine")
--
--   coro_obj = my_coroutine()
--   print(f"Type of coro_obj: {type(coro_obj)}")
--
-- In Lua the coroutine object is a coroutine made from the function:
-- making it runs nothing; only handing it to a loop (ac.run,
-- ac.create_task) does, so "Starting my_coroutine" is never printed. The
-- line shows what Lua says of the object, its type and its status, not
-- CPython's "<class 'coroutine'>": this twin's output is its own
-- (examples/expected/coroutine_object.lua.txt).
local ac = require "asyncore"

local function my_coroutine()
  print("Starting my_coroutine")
  ac.sleep(1)
  print("Finished my_coroutine")
end

local coro_obj = coroutine.create(my_coroutine)
print(("Type of coro_obj: %s (%s)"):format(type(coro_obj), coroutine.status(coro_obj)))
