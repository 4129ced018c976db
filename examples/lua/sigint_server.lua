-- sigint_server.lua — a server that stops cleanly on Ctrl-C. ac.run, as
-- asyncio.run, turns the first SIGINT into a cancellation of the main
-- task, which closes the server; run then raises KeyboardInterrupt. The
-- example has a child process send it SIGINT once a client was served.
local ac = require "asyncore"

-- SIGINT as an interactive program has it (a shell may start this one with
-- it ignored, and run leaves an ignored SIGINT alone).
ac.default_sigint()

local ok, e = pcall(ac.run, function()
  local server = ac.start_server(function(s)
    s:write(s:readline():upper())
    s:close()
  end, "127.0.0.1", 0)
  print("serving")
  local c = ac.open_connection("127.0.0.1", server:port())
  c:write("hello\n")
  io.write("client got: " .. c:readline())
  c:close()
  print("sending SIGINT")
  ac.spawn("kill -INT $PPID")
  local served, err = pcall(server.serve_forever, server)
  if not served and ac.is_error(err, ac.CancelledError) then
    print("cancelled: closing the server")
    server:close()
    server:wait_closed()
    print("server closed")
  end
  error(err, 0)
end)
if not ok and e.message == "KeyboardInterrupt" then
  print("KeyboardInterrupt: stopped cleanly")
else
  print("ended with " .. tostring(e))
end
