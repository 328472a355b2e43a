-- The code stays warning-free: luacheck on the Lua, -Wall -Wextra on the C.
local util = require "spec_util"

describe("lint", function()
  local has_luacheck = util.run("command -v luacheck") ~= ""
  local check = has_luacheck and it or pending
  check("luacheck finds nothing", function()
    local out, code = util.run("luacheck --no-color --formatter plain lua spec bin examples bench fuzz")
    assert.equals(0, code, out)
  end)

  it("the C core compiles without warnings", function()
    local flags = "-std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror -fsyntax-only " ..
      "$(pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)"
    for file in util.run("ls csrc/*.c"):gmatch("%S+") do
      local out, code = util.run("cc " .. flags .. " " .. file)
      assert.equals(0, code, out)
    end
  end)
end)
