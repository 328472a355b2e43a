local zs = require "zonestat.engine"
local NA = zs.NA

describe("columns", function()
  it("infers the type of a Lua array", function()
    assert.equals("int", zs.column({ 1, 2, NA }):type())
    assert.equals("float", zs.column({ 1, 2.5 }):type())
    assert.equals("bool", zs.column({ true, NA }):type())
    assert.equals("str", zs.column({ "a", NA }):type())
    assert.equals("str", zs.column({ NA, NA }):type())
    assert.equals("date", zs.column({ "2024-02-29" }, "date"):type())
  end)

  it("indexes from 1, with nil for NA and out of range", function()
    local c = zs.column({ 10, NA, 30 })
    assert.equals(3, #c)
    assert.equals(10, c[1])
    assert.is_nil(c[2])
    assert.equals(30, c[3])
    assert.is_nil(c[0])
    assert.is_nil(c[4])
    assert.equals(30, c:get(3))
    assert.has_error(function() c:get(4) end)
  end)

  it("indexes with huge or odd numbers without trouble", function()
    local c = zs.column({ 1, 2 })
    assert.is_nil(c[1e300])
    assert.is_nil(c[math.huge])
    assert.is_nil(c[0 / 0])
    assert.is_nil(c[1.5])
    assert.equals(0, #zs.frame({ s = zs.column({}, "str") }):fill_na({ s = "x" }):column("s"))
  end)

  it("treats NaN as NA", function()
    local c = zs.column({ 1.5, 0 / 0 })
    assert.equals(1, c:na_count())
    assert.is_nil(c[2])
  end)

  it("aggregates skip NA and give nil without values", function()
    local c = zs.column({ 4, NA, 1, 7 })
    assert.equals(12, c:sum())
    assert.equals(4.0, c:mean())
    assert.equals(1, c:min())
    assert.equals(7, c:max())
    assert.equals(3, c:count())
    local empty = zs.column({ NA, NA }, "float")
    assert.is_nil(empty:sum())
    assert.is_nil(empty:mean())
    assert.is_nil(empty:min())
    assert.equals(0, empty:count())
  end)

  it("sums integers exactly and raises on overflow", function()
    local big = math.maxinteger
    local c = zs.column({ big - 10, 5, 5 })
    assert.equals(big, c:sum())
    assert.has_error(function() zs.column({ big, 1 }):sum() end, "integer overflow: the sum does not fit in int64")
    assert.has_error(function() zs.column({ math.mininteger }) end)
  end)

  it("sums floats with compensation", function()
    local values = {}
    for i = 1, 10000 do values[i] = 0.1 end
    values[#values + 1] = 1e16
    values[#values + 1] = -1e16
    assert.equals(1000.0000000000000, zs.column(values):sum())
    assert.near(1000, zs.column(values):sum(), 1e-9)
  end)

  it("computes a stable sample variance", function()
    local values = {}
    for i = 1, 1000 do values[i] = 1e9 + (i % 2) end
    local c = zs.column(values)
    assert.near(0.25025025025025, c:var(), 1e-12)
    assert.is_nil(zs.column({ 1.0 }):var())
  end)

  it("orders strings and dates for min and max", function()
    assert.equals("Hà Nội", zs.column({ "Hải Phòng", "Hà Nội", NA }):min())
    assert.equals("2024-01-02", zs.column({ "2024-01-02", "1999-12-31" }, "date"):max())
    assert.has_error(function() zs.column({ "a" }):sum() end, "sum is not defined for a str column")
  end)

  it("round-trips through totable with NA", function()
    local t = { "x", NA, "y" }
    assert.same(t, zs.column(t):totable())
  end)

  it("rejects mixed types, naming the values", function()
    assert.has_error(function() zs.column({ 1, "a" }) end,
      "column: column 'column' mixes numbers (value #1) and strings (value #2)")
    assert.has_error(function() zs.column({ "2024-13-01" }, "date") end)
    assert.has_error(function() zs.column({ 1.5 }, "int") end)
  end)

  it("prints", function()
    local text = tostring(zs.column({ 1.5, NA }))
    assert.matches("<float>", text)
    assert.matches("NA", text)
    assert.matches("2 values, 1 NA", text)
  end)
end)
