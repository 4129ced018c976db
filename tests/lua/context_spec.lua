-- Task-local context variables.
local ac = require "asyncore"
local H = require "helper"

describe("ContextVar", function()
  it("gives its default when unset", function()
    local v = ac.ContextVar("request", "none")
    H.run(function()
      assert.are.equal("none", v:get())
      assert.are.equal("other", v:get("other"))
    end)
  end)

  it("is seen by tasks created after it was set, never by the parent", function()
    local v = ac.ContextVar("user")
    H.run(function()
      v:set({ name = "ann" })
      local child = ac.create_task(function()
        local before = v:get().name
        v:set("child's own")
        return before, v:get()
      end)
      local before, own = ac.await(child)
      assert.are.equal("ann", before)
      assert.are.equal("child's own", own)
      assert.are.equal("ann", v:get().name)
      assert.is_true(v:delete())
      assert.is_nil(v:get())
      assert.is_false(v:delete())
    end)
  end)
end)
