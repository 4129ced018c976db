-- tail_file.lua — one task appends lines to a file, another follows the
-- file ("tail -f") and prints each line as it appears (the Lua twin of
-- examples/c/tail_file.c). A read at the end of the file gives "" for now;
-- the next read looks again.
-- Pass --virtual-clock to run on the loop's virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local path = os.tmpname()

local function follow()
  local f = ac.fs.open_file(path, "r")
  while true do
    local line = f:readline()
    if line == "" then
      ac.sleep(0.05) -- at the end for now: look again
    else
      print("tail: " .. line:gsub("\n$", ""))
      if line == "done\n" then break end
    end
  end
  f:close()
end

ac.run(function()
  local f = ac.fs.open_file(path, "w")
  local follower = ac.create_task(follow)
  for i = 1, 3 do
    f:write(("line %d\n"):format(i))
    f:drain()
    ac.sleep(0.2)
  end
  f:write("done\n")
  f:close()
  ac.await(follower)
end)
os.remove(path)
