-- fetch_data.lua — two simulated fetches run concurrently by gather, their
-- results in argument order. Pass --virtual-clock to run on the virtual
-- clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local function fetch_data(delay_seconds, item)
  print(("Start fetching %s..."):format(item))
  ac.sleep(delay_seconds) -- yields to the loop
  print(("Finished fetching %s!"):format(item))
  return "Data for " .. item
end

ac.run(function()
  print("Main started")
  local results = { ac.gather(function() return fetch_data(2, "user_profile") end,
    function() return fetch_data(1, "product_catalog") end) }
  print(("Results: ['%s']"):format(table.concat(results, "', '")))
  print("Main finished")
end)
