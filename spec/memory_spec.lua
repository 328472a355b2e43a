-- Column data lives outside the Lua heap (allocated through the state's
-- allocator and owned by userdata), so loading a big file does not grow
-- collectgarbage("count"), and garbage frames are still collected.
local zs = require "zonestat"
local util = require "spec_util"

local function rss_kb()
  local fh = io.open("/proc/self/statm")
  if not fh then return nil end
  local _, resident = fh:read("n", "n")
  fh:close()
  return resident * 4
end

local function big_file()
  local block = {}
  for i = 1, 1000 do
    block[i] = string.format("id%03d,%d,%d.%06d", i % 100, i, i % 7, i * 37 % 1000000)
  end
  local text = table.concat(block, "\n") .. "\n"
  return util.tmpfile("mem.csv", "k,i,v\n" .. string.rep(text, 300)) -- 300,000 rows
end

describe("memory", function()
  it("loads 300,000 rows without growing the Lua heap with them", function()
    local path = big_file()
    collectgarbage()
    local before = collectgarbage("count")
    local f = assert(zs.read_csv(path))
    local grown = collectgarbage("count") - before
    assert.equals(300000, f:nrow())
    assert.is_true(grown < 256, "Lua heap grew by " .. grown .. " KB")
  end)

  it("collects garbage frames in a loop", function()
    local path = big_file()
    local first
    for i = 1, 25 do
      local f = assert(zs.read_csv(path))
      local g = f:slice(1, f:nrow() - 1)
      assert.equals(299999, g:nrow())
      if i == 3 then first = rss_kb() end
    end
    local last = rss_kb()
    if first and last then
      -- one load is about 7 MB of columns; 25 loads kept alive would be 350 MB
      assert.is_true(last - first < 100 * 1024, string.format("RSS grew from %d to %d KB", first, last))
    end
  end)
end)
