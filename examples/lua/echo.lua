-- echo.lua — an echo server and its client over TCP, or a Unix socket
-- with --unix (asyncio.start_server / open_connection). The server runs a
-- task per connection; the client sends three lines and prints the
-- answers. Pass --virtual-clock to run on the virtual clock.
local ac = require "asyncore"
local unix = false
for _, a in ipairs(arg or {}) do
  if a == "--virtual-clock" then ac.config.virtual_clock = true end
  if a == "--unix" then unix = true end
end

local function handle_echo(stream)
  for line in stream:lines() do
    stream:write(line)
    stream:drain()
  end
  stream:close()
end

ac.run(function()
  local server, reader
  if unix then
    local path = os.tmpname()
    os.remove(path)
    server = ac.start_unix_server(handle_echo, path)
    reader = ac.open_unix_connection(path)
    os.remove(path)
  else
    server = ac.start_server(handle_echo, "127.0.0.1", 0)
    reader = ac.open_connection("127.0.0.1", server:port())
  end
  print("connected")
  for _, message in ipairs { "hello", "asyncio streams in C", "bye" } do
    reader:write(message .. "\n")
    reader:drain()
    print("echo: " .. reader:readline():gsub("\n$", ""))
  end
  reader:close()
  reader:wait_closed()
  print("closed")
  server:close()
  server:wait_closed()
end)
