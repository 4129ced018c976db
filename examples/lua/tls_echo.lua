-- tls_echo.lua — a TLS echo server and its client (asyncio.start_server
-- and open_connection with ssl=): a fresh CA and server certificate are
-- made with the openssl tool (tests/tls/make_certs.sh), the server runs a
-- task per connection, the client checks the certificate against the CA
-- and the name "localhost", sends three lines and prints the answers.
-- Runs on the real clock (--virtual-clock is ignored: a handshake timeout
-- must not jump ahead while the handshake's bytes are in flight).
local ac = require "asyncore"

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("sh " .. here .. "/../../tests/tls/make_certs.sh " .. dir .. " >/dev/null 2>&1"),
       "cannot make certificates (is the openssl tool installed?)")

local function handle_echo(stream)
  for line in stream:lines() do
    stream:write(line)
    stream:drain()
  end
  stream:close()
end

ac.run(function()
  local server_ctx = ac.tls.context{ server = true, certfile = dir .. "/server.pem",
                                     keyfile = dir .. "/server.key" }
  local server = ac.start_server(handle_echo, "127.0.0.1", 0, { tls = server_ctx })
  local client_ctx = ac.tls.context{ cafile = dir .. "/ca.pem" }
  local reader = ac.open_connection("127.0.0.1", server:port(),
                                    { tls = client_ctx, server_hostname = "localhost" })
  print("connected with " .. reader:tls_info("version"))
  for _, message in ipairs { "hello", "asyncio streams over TLS", "bye" } do
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
os.execute("rm -rf " .. dir)
