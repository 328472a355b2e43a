-- The code stays warning-free: luacheck on the Lua, -Wall -Wextra -Wshadow
-- -Wmissing-prototypes on the C; the module exports one symbol.
local util = require "spec_util"

describe("lint", function()
  local has_luacheck = util.run("command -v luacheck") ~= ""
  local check = has_luacheck and it or pending
  check("luacheck finds nothing", function()
    local out, code = util.run("luacheck --no-color --formatter plain lua spec bin examples bench fuzz")
    assert.equals(0, code, out)
  end)

  it("the C core compiles without warnings", function()
    local flags = "-std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wmissing-prototypes -Werror " ..
      "-fsyntax-only $(pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4) " ..
      "$(pkg-config --cflags libzip expat xlsxwriter sqlite3 icu-i18n)"
    for file in util.run("ls csrc/*.c"):gmatch("%S+") do
      local out, code = util.run("cc " .. flags .. " " .. file)
      assert.equals(0, code, out)
    end
  end)

  it("the built module exports one symbol, luaopen_zonestat_core", function()
    local out, code = util.run("nm -D --defined-only build/zonestat/core.so")
    assert.equals(0, code, out)
    local functions = {}
    for name in out:gmatch("%x+ [TtWi] ([%w_]+)") do functions[#functions + 1] = name end
    assert.same({ "luaopen_zonestat_core" }, functions)
    for name in out:gmatch("%x+ [BDR] ([%w_]+)") do
      assert.is_truthy(name:find("^_"), "exported data " .. name)
    end
  end)
end)
