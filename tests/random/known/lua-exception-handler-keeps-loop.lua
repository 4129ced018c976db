-- A known leak of the Lua binding, found by the randomized differential
-- test (its Lua side grew by one registry anchor and about 20 KB per
-- scenario): a loop whose exception handler was set from Lua is never
-- freed. The handler's anchor (in the registry) holds the closure that
-- set_exception_handler wraps around it, which holds the Loop object, which
-- holds the loop; the anchor is released only when the loop is destroyed.
-- Prints how many anchors the registry gained over 1,000 runs (0 when
-- fixed) and exits 1 while it is not 0.
--   LUA_PATH=bindings/lua/?.lua LUA_CPATH=build/bindings/lua/?.so lua5.4 THIS
local ac = require "asyncore"

local function anchors()
  collectgarbage()
  collectgarbage()
  local n = 0
  for _ in pairs(debug.getregistry()) do n = n + 1 end
  return n
end

local before = anchors()
for _ = 1, 1000 do
  ac.run(function() ac.get_running_loop():set_exception_handler(function() end) end)
end
local gained = anchors() - before
print("registry anchors gained over 1000 runs: " .. gained)
os.exit(gained == 0 and 0 or 1)
