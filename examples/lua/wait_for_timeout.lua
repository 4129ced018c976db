-- wait_for_timeout.lua — a deadline for a task (asyncio.wait_for): on
-- timeout the task is cancelled, its cleanup runs, and only then is the
-- timeout reported. Pass --virtual-clock to run on the virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local function long_running_task()
  local ok, err = pcall(function()
    print("Long-running task: Starting...")
    for i = 1, 5 do
      ac.sleep(1)
      print(("Long-running task: %d second passed."):format(i))
    end
    return "Task completed successfully"
  end)
  if not ok and ac.is_error(err, ac.CancelledError) then print("Long-running task: Was cancelled!") end
  print("Long-running task: Cleanup done.") -- finally
  if not ok then error(err, 0) end
  return err
end

ac.run(function()
  print("Main: Starting task with a timeout...")
  local ok, res = pcall(ac.wait_for, long_running_task, 2.5)
  if ok then
    print("Main: Result: " .. res)
  elseif ac.is_error(res, ac.TimeoutError) then
    print("Main: Task timed out after 2.5 seconds!")
  elseif ac.is_error(res, ac.CancelledError) then
    print("Main: Task was explicitly cancelled outside of timeout (e.g., by another task).")
  end
  print("Main: Finished.")
end)
