-- hello_world.lua — asyncio.run of a coroutine that sleeps between two
-- prints. Pass --virtual-clock to run on the loop's virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

ac.run(function()
  print("Hello")
  ac.sleep(0.1)
  print("World")
end)
