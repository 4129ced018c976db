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

describe("connection, listening and UDP options", function()
  local function port_of(addr) return tonumber(addr:match(":(%d+)$")) end

  it("bind the client's local address and turn TCP_NODELAY off", function()
    H.run(function()
      local conns = {}
      local server = ac.start_server(keep_into(conns), "127.0.0.1", 0)
      local s = ac.open_connection("127.0.0.1", server:port(),
                                   { local_addr = { "127.0.0.2", 0 }, nodelay = false })
      assert.are.equal("127.0.0.2", s:get_extra_info("sockname"):match("^(.*):"))
      assert.is_false(s:get_nodelay())
      while #conns < 1 do ac.sleep(0.001) end
      assert.are.equal(s:get_extra_info("sockname"), conns[1]:get_extra_info("peername"))
      local ok, e = pcall(ac.open_connection, "127.0.0.1", server:port(),
                          { local_addr = { "localhost", 0 } })
      assert.is_false(ok)
      assert.are.equal(ac.core.EINVAL, e.code)
      s:close()
      server:close()
      server:close_clients()
      server:wait_closed()
    end)
  end)

  it("try several addresses in order, with and without happy eyeballs", function()
    H.run(function()
      local conns = {}
      local server = ac.start_server(keep_into(conns), "127.0.0.1", 0)
      local port = server:port()
      -- Nothing listens on 127.0.0.3: refused, then the next address.
      for _, opts in ipairs({ {}, { happy_eyeballs_delay = 0.25 } }) do
        local s = ac.open_connection({ "127.0.0.3", "127.0.0.1" }, port, opts)
        assert.are.equal("127.0.0.1:" .. port, s:get_extra_info("peername"))
        s:close()
      end
      local ok, e = pcall(ac.open_connection, { "127.0.0.3", "127.0.0.4" }, port,
                          { happy_eyeballs_delay = 0.25 })
      assert.is_false(ok)
      assert.are.equal(ac.core.ECONNREFUSED, e.code)
      assert.are.equal(("Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.3', %d), "
        .. "[Errno 111] Connect call failed ('127.0.0.4', %d)"):format(port, port), e.message)
      ok, e = pcall(ac.open_connection, { "localhost" }, port)
      assert.is_false(ok)
      assert.are.equal(ac.core.EINVAL, e.code)
      server:close()
      server:close_clients()
      server:wait_closed()
    end)
  end)

  it("share a port between listeners with reuse_port", function()
    H.run(function()
      local a = ac.start_server(function() end, "127.0.0.1", 0, { reuse_port = true })
      local b = ac.start_server(function() end, "127.0.0.1", a:port(), { reuse_port = true })
      assert.are.equal(a:port(), b:port())
      local ok, e = pcall(ac.start_server, function() end, "127.0.0.1", a:port())
      assert.is_false(ok)
      assert.are.equal(ac.core.EADDRINUSE, e.code)
      a:close()
      b:close()
    end)
  end)

  it("accept IPv4 on an IPv6 listener unless ipv6_only", function()
    local skipped = false
    H.run(function()
      local ok, s = pcall(ac.start_server, function() end, "::", 0, { ipv6_only = false })
      if not ok then
        skipped = true -- no IPv6 on this machine
        return
      end
      local c = ac.open_connection("127.0.0.1", s:port())
      assert.are.equal("127.0.0.1:" .. s:port(), c:get_extra_info("peername"))
      c:close()
      s:close()
      s = ac.start_server(function() end, "::", 0, { ipv6_only = true })
      local e
      ok, e = pcall(ac.open_connection, "127.0.0.1", s:port())
      assert.is_false(ok)
      assert.are.equal(ac.core.ECONNREFUSED, e.code)
      s:close()
    end)
    if skipped then pending("no IPv6 listener possible here") end
  end)

  it("share a UDP port and allow broadcast", function()
    H.run(function()
      local a = ac.udp_bind("127.0.0.1", 0, { reuse_port = true, allow_broadcast = true })
      local port = port_of(a:local_address())
      local b = ac.udp_bind("127.0.0.1", port, { reuse_port = true })
      assert.are.equal(port, port_of(b:local_address()))
      assert.is_true(a:fileno() >= 0)
      a:send("x", "127.255.255.255:9")
      local ok, e = pcall(b.send, b, "x", "127.255.255.255:9")
      assert.is_false(ok)
      assert.are.equal(-13, e.code) -- EACCES: no SO_BROADCAST
      b:set_broadcast(true)
      b:send("x", "127.255.255.255:9")
      ok, e = pcall(ac.udp_bind, "127.0.0.1", port)
      assert.is_false(ok)
      assert.are.equal(ac.core.EADDRINUSE, e.code)
      a:close()
      b:close()
      assert.are.equal(-1, a:fileno())
    end)
  end)
end)
