local zs = require "zonestat.engine"
local util = require "spec_util"
local NA = zs.NA

local function tricky()
  return zs.frame({
    s = { "plain", "", "NA", "08123", "123", "true", "2024-01-01", 'say "hi"', "a,b", "line\nbreak", NA, "Hải Phòng" },
    f = { 0.1, 1 / 3, 1e300, -2.5e-300, 1.0, NA, 123456789.125, math.huge, -0.5, 3, 2 ^ 53, 0.30000000000000004 },
    i = { 1, -2, math.maxinteger, math.mininteger + 1, 0, NA, 7, 8, 9, 10, 11, 12 },
    b = { true, false, NA, true, false, true, true, true, true, false, false, true },
    d = zs.column({ "2024-06-30", NA, "1970-01-01", "1900-02-28", "2000-02-29", "2024-01-01", "2024-01-02",
      "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06", "9999-12-31" }, "date"),
  }, { "s", "f", "i", "b", "d" })
end

describe("write_csv", function()
  it("reads back to an identical frame", function()
    local f = tricky()
    local path = util.tmpfile("roundtrip.csv")
    assert.is_true(f:write_csv(path))
    util.assert_frames_equal(f, assert(zs.read_csv(path)))
  end)

  it("round-trips random floats exactly with the shortest digits", function()
    math.randomseed(42)
    local values = {}
    for i = 1, 2000 do
      local x = (math.random() - 0.5) * 10 ^ math.random(-300, 300)
      values[i] = x
    end
    local f = zs.frame({ x = values })
    local path = util.tmpfile("floats.csv")
    assert(f:write_csv(path))
    local g = assert(zs.read_csv(path))
    for i = 1, #values do assert.equals(values[i], g:get("x", i)) end
    local text = util.read(path)
    assert.truthy(text:find("\n0.1\n", 1, true) or not text:find("0.10000000000000001", 1, true))
  end)

  it("writes Vietnamese Excel files: BOM, ';' and decimal comma", function()
    local f = zs.frame({ zone = { "Đình Vũ" }, ha = { 1234.5 } }, { "zone", "ha" })
    local path = util.tmpfile("excel.csv")
    assert(f:write_csv(path, { sep = ";", decimal = ",", bom = true }))
    assert.equals("\239\187\191zone;ha\nĐình Vũ;1234,5\n", util.read(path))
    local g = assert(zs.read_csv(path, { sep = ";", decimal = "," }))
    util.assert_frames_equal(f, g)
  end)

  it("writes NA as chosen and CRLF on request", function()
    local f = zs.frame({ a = { 1, NA } })
    local path = util.tmpfile("na.csv")
    assert(f:write_csv(path, { na = "NA", eol = "\r\n" }))
    assert.equals("a\r\n1\r\nNA\r\n", util.read(path))
  end)

  it("replaces files atomically and leaves no temporary file on failure", function()
    local path = util.tmpfile("atomic.csv", "old content\n")
    local f, err = zs.frame({ a = { 1 } }):write_csv(util.tmpdir() .. "/no/such/dir/x.csv")
    assert.is_nil(f)
    assert.matches("No such file or directory", err)
    assert.equals("old content\n", util.read(path))
    assert(zs.frame({ a = { 1 } }):write_csv(path))
    assert.equals("a\n1\n", util.read(path))
    local listing = util.run("ls " .. util.tmpdir())
    assert.is_nil(listing:find("tmp%-"))
  end)

  it("raises on misuse", function()
    local f = zs.frame({ a = { 1 } })
    assert.has_error(function() f:write_csv(util.tmpfile("m.csv"), { sep = ",", decimal = "," }) end)
    assert.has_error(function() f:write_csv(util.tmpfile("m.csv"), { delimiter = ";" }) end,
      "write_csv: unknown option 'delimiter'")
    assert.has_error(function() f:write_csv() end)
  end)
end)

describe("JSON", function()
  it("writes records with NA as null and reads them back", function()
    local t = tricky()
    local ints = {}
    for i = 1, t:nrow() do ints[i] = (i % 3 == 0) and NA or (i * 7 - 40) end
    local f = zs.frame({ s = t:column("s"), i = ints, b = t:column("b") }, { "s", "i", "b" })
    local path = util.tmpfile("t.json")
    assert.is_true(f:write_json(path))
    local g = assert(zs.read_json(path, { order = { "s", "i", "b" } }))
    util.assert_frames_equal(f, g)
  end)

  it("writes 17 significant digits where needed", function()
    local f = zs.frame({ x = { 0.1 + 0.2, 1 / 3, 5e-324 } })
    local path = util.tmpfile("digits.json")
    assert(f:write_json(path))
    local text = util.read(path)
    assert.truthy(text:find("0.30000000000000004", 1, true))
    assert.truthy(text:find("0.3333333333333333", 1, true))
    local g = assert(zs.read_json(path))
    for i = 1, 3 do assert.equals(f:get("x", i), g:get("x", i)) end
  end)

  it("reads an object of arrays and writes one", function()
    local path = util.tmpfile("cols.json", '{"b": [1.5, null], "a": ["x", "y"]}')
    local f = assert(zs.read_json(path))
    assert.same({ "a", "b" }, f:names())
    assert.same({ 1.5, NA }, f:column("b"):totable())
    local out = util.tmpfile("cols-out.json")
    assert(f:write_json(out, { orient = "columns" }))
    assert.equals('{\n"a":["x","y"],\n"b":[1.5,null]\n}\n', util.read(out))
  end)

  it("reports bad JSON with line and column", function()
    local path = util.tmpfile("bad.json", '[\n{"a": 1},\n{"a": }\n]')
    local f, err = zs.read_json(path)
    assert.is_nil(f)
    assert.matches("^" .. path:gsub("%p", "%%%0") .. ":3:7: ", err)
    local nested = util.tmpfile("nested.json", '[{"a": [1]}]')
    local g, err2 = zs.read_json(nested)
    assert.is_nil(g)
    assert.matches("nested arrays and objects are not supported", err2)
    local h, err3 = zs.read_json(util.tmpdir() .. "/missing.json")
    assert.is_nil(h)
    assert.matches("No such file or directory", err3)
  end)
end)
