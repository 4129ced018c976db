-- tour.lua — two tasks run concurrently (asyncio's create_task example).
--
-- Bob (1 s) greets before Alice (2 s) although Alice was created first,
-- and the run takes about 2 s, not 3. Pass --virtual-clock to run it on
-- the loop's virtual clock (no real waiting; the same output).
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local function greet_concurrent(name, delay)
  ac.sleep(delay)
  print(("Hello, %s after %d seconds"):format(name, delay))
end

ac.run(function()
  print("Starting main_concurrent")
  local task1 = ac.create_task(greet_concurrent, "Alice", 2)
  local task2 = ac.create_task(greet_concurrent, "Bob", 1)
  ac.await(task1)
  ac.await(task2)
  print("Finished main_concurrent")
end)
