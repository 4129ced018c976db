-- worker_gather.lua — gather for simple concurrency: three workers, the
-- results in argument order. Pass --virtual-clock to run on the virtual
-- clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local function worker(name, delay)
  print(("Worker %s: Starting..."):format(name))
  ac.sleep(delay)
  print(("Worker %s: Finished after %d seconds."):format(name, delay))
  return "Result from " .. name
end

ac.run(function()
  print("Main: Scheduling workers with asyncio.gather...")
  local results = { ac.gather(
    function() return worker("Alpha", 2) end,
    function() return worker("Beta", 1) end,
    function() return worker("Gamma", 3) end) }
  print(("Main: All workers finished. Results: ['%s']"):format(table.concat(results, "', '")))
end)
