-- await_sequence.lua — awaiting one coroutine after the other: Alice's
-- greeting (2 s) completes before Bob's (1 s) starts.
-- Pass --virtual-clock to run on the loop's virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local function greet(name, delay)
  ac.sleep(delay)
  print(("Hello, %s after %d seconds"):format(name, delay))
end

ac.run(function()
  print("Starting main_await")
  greet("Alice", 2) -- a plain call runs in this task, awaiting inside
  greet("Bob", 1)
  print("Finished main_await")
end)
