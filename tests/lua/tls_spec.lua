-- TLS streams: ac.tls.context, open_connection / start_server with tls=,
-- Stream:start_tls; certificates made at test time (tests/tls).
local ac = require "asyncore"
local H = require "helper"
-- Real time: on the virtual clock the handshake timeout would jump ahead
-- while the handshake's bytes are in flight between the two ends.
ac.config.virtual_clock = false

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("sh ../tls/make_certs.sh " .. dir .. " >/dev/null 2>&1"))
local function cert(name) return dir .. "/" .. name end

local function echo(stream)
  for line in stream:lines() do
    stream:write(line)
    stream:drain()
  end
  stream:close()
end

describe("TLS streams", function()
  if not ac.tls.available() then
    pending("built without TLS")
    return
  end
  teardown(function() os.execute("rm -rf " .. dir) end)

  it("round-trips lines with verification and ALPN", function()
    local got = H.run(function()
      local sctx = ac.tls.context{ server = true, certfile = cert("server.pem"),
                                   keyfile = cert("server.key"), alpn = { "h2" } }
      local server = ac.start_server(echo, "127.0.0.1", 0, { tls = sctx })
      local cctx = ac.tls.context{ cafile = cert("ca.pem"), alpn = { "http/1.1", "h2" } }
      local s = ac.open_connection("127.0.0.1", server:port(),
                                   { tls = cctx, server_hostname = "localhost" })
      s:write("hello\n")
      local line = s:readline()
      local info = s:tls_info("version") .. " " .. s:tls_info("alpn") .. " " .. s:tls_info("peer_subject")
      s:close()
      s:wait_closed()
      server:close()
      server:wait_closed()
      return line .. info
    end)
    assert.are.equal("hello\nTLSv1.3 h2 CN=localhost", got)
  end)

  it("refuses a wrong hostname with SSLCertVerificationError", function()
    local cls, msg = H.run(function()
      local sctx = ac.tls.context{ server = true, certfile = cert("wrong.pem"), keyfile = cert("wrong.key") }
      local server = ac.start_server(echo, "127.0.0.1", 0, { tls = sctx })
      local cctx = ac.tls.context{ cafile = cert("ca.pem") }
      local ok, err = pcall(ac.open_connection, "127.0.0.1", server:port(),
                            { tls = cctx, server_hostname = "localhost" })
      assert.is_false(ok)
      server:close()
      server:wait_closed()
      return err.class, err.message
    end)
    assert.are.equal("SSLCertVerificationError", cls)
    assert.is_truthy(msg:find("hostname mismatch", 1, true))
  end)

  it("upgrades a plain connection with start_tls", function()
    local got = H.run(function()
      local sctx = ac.tls.context{ server = true, certfile = cert("server.pem"), keyfile = cert("server.key") }
      local server = ac.start_server(function(s)
        assert.are.equal("STARTTLS\n", s:readline())
        s:write("GO\n")
        s:start_tls(sctx)
        s:write("tls:" .. s:readline())
        s:close()
      end, "127.0.0.1", 0)
      local c = ac.open_connection("127.0.0.1", server:port())
      c:write("STARTTLS\n")
      assert.are.equal("GO\n", c:readline())
      c:start_tls(ac.tls.context{ cafile = cert("ca.pem") }, { server_hostname = "localhost" })
      c:write("x\n")
      local all = c:read()
      c:close()
      server:close()
      server:wait_closed()
      return all
    end)
    assert.are.equal("tls:x\n", got)
  end)

  local function read_file(name)
    local f = assert(io.open(cert(name), "rb"))
    local text = f:read("a")
    f:close()
    return text
  end

  it("loads contexts from PEM text and picks one by SNI", function()
    local got = H.run(function()
      local other = ac.tls.context{ server = true, certdata = read_file("other.pem"),
                                    keydata = read_file("other.key") }
      local asked = {}
      local sctx = ac.tls.context{
        server = true, certdata = read_file("server.pem") .. read_file("server.key"),
        sni = function(name)
          asked[#asked + 1] = name
          if name == "other.test" then return other end
          if name == "broken.test" then error("no context for that name") end
        end,
      }
      local server = ac.start_server(echo, "127.0.0.1", 0, { tls = sctx })
      local cctx = ac.tls.context{ cadata = read_file("ca.pem") }
      local out = {}
      for _, name in ipairs{ "other.test", "localhost" } do
        local s = ac.open_connection("127.0.0.1", server:port(), { tls = cctx, server_hostname = name })
        s:write("x\n")
        out[#out + 1] = s:readline() .. s:tls_info("peer_subject")
        s:close()
        s:wait_closed()
      end
      -- An error in the callback keeps the server's own context: the
      -- client, asking for another name, refuses the certificate.
      local ok, err = pcall(ac.open_connection, "127.0.0.1", server:port(),
                            { tls = cctx, server_hostname = "broken.test" })
      out[#out + 1] = tostring(ok) .. " " .. err.class
      server:close()
      server:wait_closed()
      return table.concat(out, " | ") .. " | " .. table.concat(asked, ",")
    end)
    assert.are.equal("x\nCN=other.test | x\nCN=localhost | false SSLCertVerificationError"
                     .. " | other.test,localhost,broken.test", got)
  end)

  it("refuses PEM text that is not a certificate", function()
    local ok, err = pcall(ac.tls.context, { server = true, certdata = "not PEM" })
    assert.is_false(ok)
    assert.are.equal("SSLError", err.class)
  end)
end)
