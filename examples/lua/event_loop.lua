-- event_loop.lua — two tasks interleave on the loop (asyncio.gather of
-- task_a and task_b). Pass --virtual-clock to run on the virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local function task_a()
  print("Task A started")
  ac.sleep(0.5)
  print("Task A finished")
end

local function task_b()
  print("Task B started")
  ac.sleep(1)
  print("Task B finished")
end

ac.run(function()
  print("Main routine starting tasks...")
  ac.gather(task_a, task_b)
  print("Main routine all tasks completed.")
end)
