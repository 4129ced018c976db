-- to_thread.lua — blocking work on a worker thread (asyncio.to_thread)
-- while the loop goes on:
--
--   def blocking_function(duration):
--       print(f"  Blocking function started for {duration}s")
--       time.sleep(duration) # This is a blocking call
--       print(f"  Blocking function finished after {duration}s")
--       return f"Blocking result after {duration}s"
--
--   async def main_to_thread():
--       print("Main: Starting non-blocking operations")
--       task1 = asyncio.create_task(asyncio.sleep(0.5)) # Non-blocking async operation
--       print("Main: Offloading blocking_function to a thread")
--       blocking_result = await asyncio.to_thread(blocking_function, 2)
--       await task1 # Wait for the non-blocking task
--       print(f"Main: Non-blocking task finished.")
--       print(f"Main: Received blocking result: {blocking_result}")
--       print("Main: Finished")
--
-- As in CPython, main awaits the worker's result before the sleep task, so
-- the worker's lines come before "Non-blocking task finished.". The
-- blocking function is C (the `blocking` module): Lua itself runs only on
-- the loop's thread. Pass --virtual-clock to run on the virtual clock; the
-- blocking sleep then takes no real time, as time.sleep on a worker does in
-- the Python twin's virtual-clock run.
local ac = require "asyncore"
local blocking = require "blocking"
local scale = 1.0
if arg and arg[1] == "--virtual-clock" then
  ac.config.virtual_clock = true
  scale = 0
end
io.stdout:setvbuf("line")

ac.run(function()
  print("Main: Starting non-blocking operations")
  local task1 = ac.create_task(ac.sleep, 0.5) -- Non-blocking async operation

  print("Main: Offloading blocking_function to a thread")
  local call = blocking.call(2, scale)
  local blocking_result = ac.to_thread(blocking.fn, call)
  blocking.free(call)

  ac.await(task1) -- Wait for the non-blocking task
  print("Main: Non-blocking task finished.")
  print("Main: Received blocking result: " .. blocking_result)
  print("Main: Finished")
end)
