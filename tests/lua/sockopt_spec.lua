-- Socket options, servers closing their clients, serve_forever and
-- sendfile, over the loopback.
local ac = require "asyncore"
local H = require "helper"

local function keep_into(list)
  return function(stream) list[#list + 1] = stream end
end

describe("socket options and servers", function()
  it("switch TCP_NODELAY and keepalive", function()
    H.run(function()
      local conns = {}
      local server = ac.start_server(keep_into(conns), "127.0.0.1", 0)
      local s = ac.open_connection("127.0.0.1", server:port())
      assert.is_true(s:get_nodelay())
      s:set_nodelay(false)
      assert.is_false(s:get_nodelay())
      assert.is_true(s:fileno() >= 0)
      s:set_keepalive(true, { idle = 30, interval = 5, count = 4 })
      local ok, e = pcall(s.set_keepalive, s, true, { idle = -1 })
      assert.is_false(ok)
      assert.are.equal(ac.core.EINVAL, e.code)
      s:close()
      server:close()
      while #conns < 1 do ac.sleep(0.001) end
      assert.are.equal(1, server:close_clients())
      server:wait_closed()
      assert.are.equal(0, server:connections())
    end)
  end)

  it("wait for the connections, abort them, end serve_forever", function()
    H.run(function()
      local conns = {}
      local server = ac.start_server(keep_into(conns), "127.0.0.1", 0)
      local s = ac.open_connection("127.0.0.1", server:port())
      while #conns < 1 do ac.sleep(0.001) end
      conns[1]:write(string.rep("x", 100))
      local closer = ac.create_task(function()
        ac.sleep(0.01)
        server:close()
      end)
      local ok, e = pcall(server.serve_forever, server)
      assert.is_false(ok)
      assert.are.equal("CancelledError", e.class)
      ac.await(closer)
      -- Closed, one connection open: wait_closed waits for it.
      local waiter = ac.create_task(function() server:wait_closed() end)
      ac.sleep(0.01)
      assert.is_false(waiter:done())
      assert.are.equal(1, server:abort_clients())
      ac.await(waiter)
      assert.are.equal(string.rep("x", 100), s:read())
      s:close()
    end)
  end)

  it("send a file", function()
    H.run(function()
      local conns = {}
      local server = ac.start_server(keep_into(conns), "127.0.0.1", 0)
      local s = ac.open_connection("127.0.0.1", server:port())
      while #conns < 1 do ac.sleep(0.001) end
      local path = os.tmpname()
      local f = io.open(path, "wb")
      f:write("0123456789abcdef")
      f:close()
      assert.are.equal(6, conns[1]:sendfile(path, 4, 6))
      assert.are.equal("456789", s:readexactly(6))
      os.remove(path)
      s:close()
      server:close()
      server:close_clients()
      server:wait_closed()
    end)
  end)
end)
