-- gather_workers.lua — run workers concurrently and collect their results
-- in argument order (asyncio.gather). Pass --virtual-clock to run on the
-- loop's virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local function worker(name, delay)
  ac.sleep(delay)
  return ("%s finished after %ds"):format(name, delay)
end

ac.run(function()
  print("Starting main_gather")
  local results = { ac.gather(
    function() return worker("Worker A", 3) end,
    function() return worker("Worker B", 1) end,
    function() return worker("Worker C", 2) end) }
  print("All workers finished.")
  for _, res in ipairs(results) do print(res) end
end)
