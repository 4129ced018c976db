-- helper.lua — shared setup of the Lua specs: the virtual clock, a trace.
local ac = require "asyncore"
ac.config.virtual_clock = true

local H = {}

--- A list and a function appending to it.
function H.trace()
  local t = {}
  return t, function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    t[#t + 1] = table.concat(parts, " ")
  end
end

--- Runs fn as the main task and returns its values (virtual clock).
function H.run(fn, ...)
  return ac.run(fn, ...)
end

--- Number of entries of a table (weak tables included).
function H.count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

function H.full_gc()
  for _ = 1, 4 do collectgarbage("collect") end
end

H.lua54 = _VERSION == "Lua 5.4"

return H
