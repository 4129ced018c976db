-- to_thread.lua — blocking work on a worker thread (asyncio.to_thread)
-- while the loop goes on: the non-blocking sleep finishes before the
-- blocking function although the blocking function started first. The
-- blocking function is C (the `blocking` module): Lua itself runs only on
-- the loop's thread. Pass --virtual-clock to run on the virtual clock (the
-- blocking sleep then lasts a tenth of its time).
local ac = require "asyncore"
local blocking = require "blocking"
local scale = 1.0
if arg and arg[1] == "--virtual-clock" then
  ac.config.virtual_clock = true
  scale = 0.1
end
io.stdout:setvbuf("line")

ac.run(function()
  print("Main: Starting non-blocking operations")
  local task1 = ac.create_task(ac.sleep, 0.5) -- non-blocking async operation

  print("Main: Offloading blocking_function to a thread")
  local started = ac.TsFuture()
  local call = blocking.call(2, started:ptr(), scale)
  local blocking_task = ac.create_task(ac.to_thread, blocking.fn, call)
  started:await()

  ac.await(task1)
  print("Main: Non-blocking task finished.")
  local blocking_result = ac.await(blocking_task)
  blocking.free(call)
  print("Main: Received blocking result: " .. blocking_result)
  print("Main: Finished")
end)
