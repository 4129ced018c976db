-- w5_echo.lua — W5 server through the Lua binding (Lua 5.4 or LuaJIT):
-- start_server with a task per connection, read / write / drain (asyncio's
-- streams echo). Prints "port N", serves for SECONDS, then prints its user
-- and system CPU time. With W5_TLS_CERT and W5_TLS_KEY (PEM files) it is
-- the W5-TLS server: the same echo behind start_server{tls=ctx}.
--   lua5.4 w5_echo.lua [SECONDS=11]
--   W5_TLS_CERT=cert.pem W5_TLS_KEY=key.pem luajit w5_echo.lua [SECONDS=11]
local ac = require "asyncore"
local seconds = tonumber(arg and arg[1]) or 11
local options
if os.getenv("W5_TLS_CERT") or os.getenv("W5_TLS_KEY") then
  options = { tls = ac.tls.context{ server = true, certfile = assert(os.getenv("W5_TLS_CERT")),
                                    keyfile = assert(os.getenv("W5_TLS_KEY")) } }
end

local function echo(stream)
  -- A reset ends this client only.
  pcall(function()
    while true do
      local data = stream:read(65536)
      if data == "" then break end
      stream:write(data)
      stream:drain()
    end
  end)
  stream:close()
end

ac.run(function()
  local server = ac.start_server(echo, "127.0.0.1", 0, options)
  io.write("port ", server:port(), "\n")
  io.flush()
  ac.sleep(seconds)
  server:close()
end)

-- utime and stime, fields 14 and 15 of /proc/self/stat, in clock ticks
-- (100 a second on Linux).
local f = io.open("/proc/self/stat")
if f then
  local stat = f:read("*a")
  f:close()
  local fields = {}
  for w in stat:match("%) (.*)"):gmatch("%S+") do fields[#fields + 1] = w end
  io.write(string.format("cpu user %.3f s sys %.3f s\n", fields[12] / 100, fields[13] / 100))
end
