-- hello.lua — a Lua script using the installed module (Lua 5.4 or
-- LuaJIT): a task greets after a second, on the loop's virtual clock.
local ac = require "asyncore"

ac.run({virtual_clock = true}, function()
  local t = ac.create_task(function(name) ac.sleep(1); return "hi " .. name end, "Bob")
  print(ac.await(t), string.format("at %.1f s", ac.get_running_loop():time()))
end)
