-- scene.lua — one scene of the game_host example. Its entities are tasks
-- on the host's loop: a score fetched over TCP from the scene's own little
-- server, a lamp on a timer, and a guard whose patrol never ends by
-- itself: it outlives the scene's story and is cancelled when the host
-- unloads the scene (it cleans up first).
local ac = require "asyncore"
local loop = ac.loop -- the host's loop, handed over before require
local start = loop:time()

local function say(fmt, ...)
  print(("[%4.2f] " .. fmt):format(loop:time() - start, ...))
end

local scene = { over = false }

-- The score server: one line in, one line out.
local server = ac.start_server(function(stream)
  local request = stream:readline()
  stream:write(("score for %s: 42\n"):format(request:gsub("\n$", "")))
  stream:drain()
  stream:close()
end, "127.0.0.1", 0)

local function fetch_score(player)
  local conn = ac.open_connection("127.0.0.1", server:port())
  conn:write(player .. "\n")
  conn:drain()
  local answer = conn:readline():gsub("\n$", "")
  conn:close()
  return answer
end

local function lamp(times)
  for i = 1, times do
    ac.sleep(0.25)
    say("lamp %s", i % 2 == 1 and "on" or "off")
  end
end

local function guard()
  local ok, err = pcall(function()
    while true do
      ac.sleep(0.4)
      say("guard patrols")
    end
  end)
  -- Cancelled with the scene: leave tidily, then end cancelled.
  say("guard leaves the scene")
  error(err, 0)
end

local patrol

ac.create_task(function()
  say("scene starts")
  say("fetched '%s'", fetch_score("player1"))
  patrol = ac.create_task(guard)
  lamp(4)
  say("the story of the scene is over")
  scene.over = true
end)

-- Called by the host when it unloads the scene.
function scene.unload()
  server:close()
  if patrol then patrol:cancel() end
end

return scene
