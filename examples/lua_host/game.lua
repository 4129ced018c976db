-- game.lua — the entities of the lua_host example: each one a coroutine
-- on the host's loop, awaiting sleeps. The host steps the loop once per
-- frame and stops when `game_over` is set.
local ac = require "asyncore"
local loop = ac.loop -- the host's loop, handed over before require
local start = loop:time()

local function say(fmt, ...)
  print(("[%5.2f] " .. fmt):format(loop:time() - start, ...))
end

local function walker(name, steps, pace)
  for i = 1, steps do
    ac.sleep(pace)
    say("%s walks to tile %d", name, i)
  end
  return name
end

local function lamp()
  local on = false
  while true do
    ac.sleep(0.25)
    on = not on
    say("lamp %s", on and "on" or "off")
  end
end

-- Outlives the level: still sleeping when the host closes the Lua state.
ac.create_task(function() ac.sleep(3600) end)

local blinking = ac.create_task(lamp)

ac.create_task(function()
  say("level start")
  local a, b = ac.gather(ac.create_task(walker, "knight", 3, 0.4), ac.create_task(walker, "slime", 2, 0.7))
  say("%s and %s reached the gate", a, b)
  blinking:cancel()
  local ok = pcall(ac.await, blinking)
  say("lamp stopped (%s)", ok and "finished" or "cancelled")
  game_over = true
end)
