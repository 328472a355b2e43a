local zs = require "zonestat.engine"
local NA = zs.NA

local function lines(s)
  local t = {}
  for l in (s .. "\n"):gmatch("(.-)\n") do t[#t + 1] = l end
  return t
end

describe("printing", function()
  it("shows names, types, NA and the size", function()
    local f = zs.frame({ zone = { "Đình Vũ", NA }, ha = { 541, 1329.5 } }, { "zone", "ha" })
    local text = zs.format_frame(f, 80)
    local l = lines(text)
    assert.matches("zone", l[1])
    assert.matches("<str>", l[2])
    assert.matches("<float>", l[2])
    assert.matches("NA", l[4])
    assert.equals("# 2 rows × 2 columns", l[#l])
    assert.equals(text, tostring(f))
  end)

  it("aligns by display width, whatever the normal form", function()
    local nfc = "Hải Phòng"
    local nfd = "Ha\204\137i Pho\204\128ng" -- the same text with combining marks
    local f = zs.frame({ name = { nfc, nfd, "x" }, n = { 1, 22, 333 } }, { "name", "n" })
    local l = lines(zs.format_frame(f, 80))
    local w = zs.display_width(l[3])
    assert.equals(w, zs.display_width(l[4]))
    assert.equals(w, zs.display_width(l[5]))
    assert.equals(9, zs.display_width(nfd))
    assert.equals(2, zs.display_width("中"))
  end)

  it("shows head and tail of long frames with the row count", function()
    local v = {}
    for i = 1, 1000 do v[i] = i * 1000 end
    local text = zs.format_frame(zs.frame({ v = v }), 80)
    assert.matches("# 1,000 rows × 1 columns", text)
    assert.truthy(text:find("\n  1 ", 1, true) or text:find("\n   1", 1, true))
    assert.truthy(text:find("1000000", 1, true))
    assert.falsy(text:find("500000", 1, true))
    assert.truthy(text:find("…", 1, true))
  end)

  it("stays within the terminal width and lists hidden columns", function()
    local cols, order = {}, {}
    for j = 1, 30 do
      local name = "column_" .. j
      cols[name] = { j * 1.5 }
      order[j] = name
    end
    local text = zs.format_frame(zs.frame(cols, order), 60)
    for _, l in ipairs(lines(text)) do
      if not l:find("^#") then assert.is_true(zs.display_width(l) <= 60, l) end
    end
    assert.matches("not shown: column_%d+ <float>", text)
  end)

  it("truncates long text and escapes control characters", function()
    local f = zs.frame({ s = { string.rep("ư", 100), "a\nb" } })
    local text = zs.format_frame(f, 200)
    assert.truthy(text:find("…", 1, true))
    assert.truthy(text:find("a\\nb", 1, true))
  end)

  it("reads the width from COLUMNS when stdout is not a terminal", function()
    local w = zs._core.terminal_width()
    assert.is_true(math.type(w) == "integer" and w > 0)
  end)
end)
