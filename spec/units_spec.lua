-- zs.units: Vietnamese/English numbers, scale words, units, USD/VND conversion.
local zs = require "zonestat"
local units = zs.units

-- the real annual averages of data/vn/fx.csv (WDI PA.NUS.FCRF; 2023 derived)
local FX = { [2019] = 23050.24, [2020] = 23208.37, [2021] = 23159.78, [2023] = 23771.63 }

-- value and math type must both match
local function same(expected, actual)
  assert.are.equal(math.type(expected), math.type(actual))
  assert.are.equal(expected, actual)
end

local function parses(text, value, unit, opts)
  local v, u = units.parse(text, opts)
  assert(v ~= nil, ("parse(%q) failed: %s"):format(text, tostring(u)))
  same(value, v)
  assert.are.equal(unit, u)
end

-- the message of an error raised by f, which must point at this file (error level 2)
local function raised(f)
  local ok, err = pcall(f)
  assert.is_false(ok)
  assert.matches("units_spec%.lua:%d+: units%.", err)
  return err
end

describe("units.parse", function()
  it("reads the examples of the brief exactly", function()
    parses("18,37 tỷ USD", 18370000000, "USD")
    parses("121 nghìn tỷ đồng", 121000000000000, "VND")
    assert.are.equal(1.21e14, (units.parse("121 nghìn tỷ đồng")))
    parses("1.083,30 triệu USD", 1083300000, "USD")
    parses("6,144 ha", 6144, "ha", { locale = "en" })
  end)

  it("uses '.' for thousands and ',' for decimals in vi, the reverse in en", function()
    parses("1.083", 1083, nil)
    parses("6,144 ha", 6.144, "ha")
    parses("1083,3", 1083.3, nil)
    parses("24.853,21 triệu USD", 24853210000, "USD")
    parses("308.702 tỷ đồng", 308702000000000, "VND")
    parses("10.221,8 nghìn tỷ đồng", 10221800000000000, "VND")
    parses("1.234.567,891", 1234567.891, nil)
    parses("0,5", 0.5, nil)
    parses("007", 7, nil)
    parses("1,083", 1083, nil, { locale = "en" })
    parses("6.144 ha", 6.144, "ha", { locale = "en" })
    parses("10,221.8 trillion VND", 10221800000000000, "VND", { locale = "en" })
    parses("1,234,567.891", 1234567.891, nil, { locale = "en" })
  end)

  it("knows every scale word of each locale", function()
    local vi = { ["nghìn"] = 3, ["ngàn"] = 3, ["triệu"] = 6, ["tỷ"] = 9, ["tỉ"] = 9, ["nghìn tỷ"] = 12,
      ["ngàn tỷ"] = 12, ["nghìn tỉ"] = 12, ["ngàn tỉ"] = 12, N = 3, Tr = 6, T = 9, NT = 12 }
    for word, e in pairs(vi) do
      parses("2 " .. word, math.tointeger(2 * 10 ^ e), nil)
      parses("2 " .. word .. " USD", math.tointeger(2 * 10 ^ e), "USD")
    end
    local en = { thousand = 3, k = 3, million = 6, mn = 6, m = 6, billion = 9, bn = 9, b = 9,
      trillion = 12, trn = 12, tn = 12 }
    for word, e in pairs(en) do
      parses("2 " .. word .. " VND", math.tointeger(2 * 10 ^ e), "VND", { locale = "en" })
      parses("2 " .. word:upper() .. " VND", math.tointeger(2 * 10 ^ e), "VND", { locale = "en" })
    end
  end)

  it("folds the case of long words but not of the vi short forms", function()
    parses("5 TỶ USD", 5000000000, "USD")
    parses("5 Triệu usd", 5000000, "USD")
    parses("5 Nghìn Tỷ Đồng", 5000000000000, "VND")
    parses("5 $", 5, "USD")
    for _, text in ipairs({ "5 t", "5 tr", "5 n", "5 nt", "5 TR", "5 Nt" }) do
      assert.is_nil((units.parse(text)))
    end
  end)

  it("keeps scale words to their locale", function()
    assert.is_nil((units.parse("5 bn USD")))
    assert.is_nil((units.parse("5 tỷ USD", { locale = "en" })))
    assert.is_nil((units.parse("5 T", { locale = "en" })))
  end)

  it("knows every unit word, in either locale", function()
    local words = {
      USD = { "USD", "US$", "$", "đô la Mỹ", "đô la", "đô" },
      VND = { "VND", "VNĐ", "đồng", "đ", "₫", "dong", "vnđ" },
      ha = { "ha", "hécta", "hecta", "hectare", "hectares" },
      ["%"] = { "%" },
    }
    for unit, list in pairs(words) do
      for _, w in ipairs(list) do
        parses("12 " .. w, 12, unit)
        parses("12" .. w, 12, unit)
        parses("12 " .. w, 12, unit, { locale = "en" })
      end
    end
    parses("13,43 tỉ đô la Mỹ", 13430000000, "USD")
    parses("115,2 nghìn hécta", 115200, "ha")
    parses("100.000₫", 100000, "VND")
    parses("5tỷ", 5000000000, nil)
  end)

  it("accepts a currency before the number", function()
    parses("$5 bn", 5000000000, "USD", { locale = "en" })
    parses("US$ 3,5 tỷ", 3500000000, "USD")
    parses("USD 5 million", 5000000, "USD", { locale = "en" })
    parses("-$2", -2, "USD")
  end)

  it("returns an integer when integral and representable, else the nearest float", function()
    parses("0,1 triệu", 100000, nil)
    parses("1,5 nghìn", 1500, nil)
    parses("18,370 tỷ", 18370000000, nil)
    parses("0,0001 nghìn", 0.1, nil)
    parses("0,1", 0.1, nil)
    parses("123.456.789,123456789", 123456789.123456789, nil)
    parses("9.223.372.036.854.775.807", math.maxinteger, nil)
    parses("-9.223.372.036.854.775.808", math.mininteger, nil)
    parses("9.223.372.036.854.775.808", 9223372036854775808.0, nil)
    parses("10.000.000 nghìn tỷ", 1e19, nil)
    parses("0,3", 0.3, nil)
    parses("2,675", 2.675, nil)
    parses("0", 0, nil)
    parses("0,000", 0, nil)
    parses("-0", 0, nil)
  end)

  it("reads signs", function()
    parses("-18,37 tỷ USD", -18370000000, "USD")
    parses("+5 ha", 5, "ha")
    parses("\u{2212}3 tỉ đồng", -3000000000, "VND")
    parses("-0,5 triệu", -500000, nil)
    parses("-1,25", -1.25, nil)
  end)

  it("ignores spaces around and between words, including no-break spaces", function()
    parses("  18,37   tỷ   USD  ", 18370000000, "USD")
    parses("18,37\u{A0}tỷ\u{202F}USD", 18370000000, "USD")
    parses("\t6.144 ha\n", 6144, "ha")
  end)

  it("reads NFD text and marks in any canonical-equivalent order", function()
    parses("18,37 ty\u{309} USD", 18370000000, "USD")
    parses("121 nghi\u{300}n ty\u{309} \u{111}o\u{302}\u{300}ng", 121000000000000, "VND")
    parses("1.083,30 trie\u{323}\u{302}u USD", 1083300000, "USD")
    parses("1.083,30 trie\u{302}\u{323}u USD", 1083300000, "USD")  -- not in canonical order
    parses("1.083,30 tri\u{1EB9}\u{302}u USD", 1083300000, "USD")  -- ẹ + circumflex
    parses("1.083,30 tri\u{EA}\u{323}u USD", 1083300000, "USD")    -- ê + dot below
    parses("13,43 ti\u{309} \u{111}o\u{302} la My\u{303}", 13430000000, "USD")
    parses("5 nga\u{300}n TY\u{309}", 5000000000000, nil)
    parses("5 he\u{301}cta", 5, "ha")
    parses("5 TRIE\u{323}\u{302}U", 5000000, nil)
    local v, u, q = units.parse("ga\u{302}\u{300}n 500 ha", { qualifiers = true })
    assert.are.same({ 500, "ha", "approximate" }, { v, u, q })
  end)

  it("reads percentages as points, or as a ratio on request", function()
    parses("5,05%", 5.05, "%")
    parses("62,5 %", 62.5, "%")
    parses("5.05%", 5.05, "%", { locale = "en" })
    parses("62,5%", 0.625, "ratio", { percent = "ratio" })
    parses("100%", 1, "ratio", { percent = "ratio" })
    parses("5,05%", 0.0505, "ratio", { percent = "ratio" })
    parses("5,05%", 5.05, "%", { percent = "points" })
  end)

  it("rejects qualifiers unless asked, then returns their kind", function()
    for _, text in ipairs({ "gần 500 ha", "khoảng 5 tỷ USD", "hơn 600 dự án", "trên 61%", "~500 ha", ">26,72 tỷ USD",
      "xấp xỉ 5", "dưới 5", "about 5 bn", "over 5", "≈ 5", "more than 5" }) do
      local v, msg = units.parse(text)
      assert.is_nil(v)
      assert.matches("qualifier", msg)
      assert.are.equal(1, select(2, msg:gsub("in '" .. text:gsub("%p", "%%%0") .. "'$", "")))
    end
    local cases = {
      { "gần 500 ha", 500, "ha", "approximate" },
      { "Khoảng 5 tỷ USD", 5000000000, "USD", "approximate" },
      { "~500 ha", 500, "ha", "approximate" },
      { "≈ 5", 5, nil, "approximate" },
      { "hơn 600", 600, nil, "lower bound" },
      { "trên 61%", 61, "%", "lower bound" },
      { ">26,72 tỷ USD", 26720000000, "USD", "lower bound" },
      { ">= 3", 3, nil, "lower bound" },
      { "dưới 5 ha", 5, "ha", "upper bound" },
      { "<5", 5, nil, "upper bound" },
      { "more than 5 bn USD", 5000000000, "USD", "lower bound", "en" },
      { "18,37 tỷ USD", 18370000000, "USD", nil },
    }
    for _, c in ipairs(cases) do
      local v, u, q = units.parse(c[1], { qualifiers = true, locale = c[5] })
      assert.are.equal(c[2], v)
      assert.are.equal(c[3], u)
      assert.are.equal(c[4], q)
    end
    -- a word qualifier needs a space after it; its letters alone are not one
    assert.is_nil((units.parse("gần500", { qualifiers = true })))
  end)

  it("returns nil and a message naming the text for malformed input", function()
    local bad = {
      { "", "empty text" },
      { "   ", "empty text" },
      { "USD", "no number" },
      { "tỷ USD", "no number" },
      { "abc", "no number" },
      { ".", "no number" },
      { "- 5", "no number" },
      { "$-5", "no number" },
      { "1.23.4", "malformed number" },
      { "1,2,3", "malformed number" },
      { "1.08", "malformed number" },
      { "1.0834", "malformed number" },
      { "0.123", "malformed number" },
      { "1083.5", "malformed number" },
      { "1.000.", "malformed number" },
      { "1..000", "malformed number" },
      { ",5", "malformed number" },
      { "5,", "malformed number" },
      { "1,083.30 triệu USD", "malformed number" },
      { "12 34", "more than one number" },
      { "1 083,3", "more than one number" },
      { "5-6 ha", "more than one number" },
      { "18,37 tỷ USD (2023)", "more than one number" },
      { "5 xyz", "unknown unit or scale word" },
      { "5 USD tỷ", "unknown unit or scale word" },
      { "5 tỷ tỷ", "unknown unit or scale word" },
      { "5 triệu nghìn", "unknown unit or scale word" },
      { "5 USD USD", "unknown unit or scale word" },
      { "5 km", "unknown unit or scale word" },
      { "5 EUR", "unknown unit or scale word" },
      { "$5 USD", "two units" },
      { "5 triệu %", "scale word before '%'" },
      { "gần 5", "qualifier 'gần'" },
      { "5 \255", "invalid UTF-8" },
    }
    for _, c in ipairs(bad) do
      local v, msg = units.parse(c[1])
      assert.is_nil(v, c[1])
      assert.are.equal("string", type(msg))
      assert.are.equal(1, select(2, msg:gsub("^units%.parse: ", "")), msg)
      assert.truthy(msg:find(c[2], 1, true), msg)
      assert.truthy(msg:find("in '" .. c[1] .. "'", 1, true), msg)
    end
    local en_bad = { "1,23,4", "1.2.3", "1,08", "6.144,5", "1.000,5 bn" }
    for _, text in ipairs(en_bad) do
      local v, msg = units.parse(text, { locale = "en" })
      assert.is_nil(v, text)
      assert.matches("malformed number .*%(en: ',' groups thousands, '.' is the decimal mark%)", msg)
    end
  end)

  it("reports numbers too large for a float", function()
    local v, msg = units.parse("1" .. string.rep("0", 400))
    assert.is_nil(v)
    assert.matches("out of range", msg)
  end)

  it("raises on misuse, at the caller", function()
    assert.matches("text must be a string, got nil", raised(function() units.parse() end))
    assert.matches("got number", raised(function() units.parse(5) end))
    assert.matches("options must be a table", raised(function() units.parse("5", "vi") end))
    assert.matches("option 'locale' must be", raised(function() units.parse("5", { locale = "fr" }) end))
    assert.matches("unknown option 'decimals'", raised(function() units.parse("5", { decimals = 2 }) end))
    assert.matches("option 'percent'", raised(function() units.parse("5", { percent = "fraction" }) end))
    assert.matches("option 'qualifiers'", raised(function() units.parse("5", { qualifiers = 1 }) end))
  end)
end)

describe("units.format", function()
  it("writes the examples of the brief", function()
    assert.are.equal("18,37 tỷ USD", units.format(18370000000, "USD", { locale = "vi" }))
    assert.are.equal("18,37 tỷ USD", units.format(18370000000, "USD"))
    assert.are.equal("18.37 bn USD", units.format(18370000000, "USD", { locale = "en" }))
    assert.are.equal("121 nghìn tỷ đồng", units.format(1.21e14, "VND"))
    assert.are.equal("121 trn VND", units.format(1.21e14, "VND", { locale = "en" }))
    assert.are.equal("6.144 ha", units.format(6144, "ha", { locale = "vi" }))
    assert.are.equal("6,144 ha", units.format(6144, "ha", { locale = "en" }))
    assert.are.equal("62,5%", units.format(0.625, "ratio"))
    assert.are.equal("62.5%", units.format(0.625, "ratio", { locale = "en" }))
    assert.are.equal("5,05%", units.format(5.05, "%"))
  end)

  it("picks the largest scale word not above the value", function()
    local cases = {
      { 1083300000, "USD", "1,08 tỷ USD", "1.08 bn USD" },
      { 24853210000, "USD", "24,85 tỷ USD", "24.85 bn USD" },
      { 999999, "USD", "999.999 USD", "999,999 USD" },
      { 1000000, "USD", "1 triệu USD", "1 mn USD" },
      { 3.56e9, "USD", "3,56 tỷ USD", "3.56 bn USD" },
      { 4.3e11, "USD", "430 tỷ USD", "430 bn USD" },
      { 2e12, "USD", "2.000 tỷ USD", "2,000 bn USD" },
      { 308702000000000, "VND", "308,7 nghìn tỷ đồng", "308.7 trn VND" },
      { 10221800000000000, "VND", "10.221,8 nghìn tỷ đồng", "10,221.8 trn VND" },
      { 83e12, "VND", "83 nghìn tỷ đồng", "83 trn VND" },
      { 101.9e6, "VND", "101,9 triệu đồng", "101.9 mn VND" },
      { 500000000, "VND", "500 triệu đồng", "500 mn VND" },
      { 50000, "VND", "50.000 đồng", "50,000 VND" },
      { 115200, "ha", "115.200 ha", "115,200 ha" },
      { 1234.5, nil, "1.234,5", "1,234.5" },
      { 1e9, nil, "1.000.000.000", "1,000,000,000" },
      { 0, "USD", "0 USD", "0 USD" },
    }
    for _, c in ipairs(cases) do
      assert.are.equal(c[3], units.format(c[1], c[2]))
      assert.are.equal(c[4], units.format(c[1], c[2], { locale = "en" }))
    end
  end)

  it("moves up a scale word when rounding reaches a thousand of it", function()
    assert.are.equal("1 tỷ USD", units.format(999999999, "USD"))
    assert.are.equal("999,99 triệu USD", units.format(999990000, "USD"))
    assert.are.equal("1 nghìn tỷ đồng", units.format(999999999999, "VND"))
    assert.are.equal("1 triệu đồng", units.format(999999.999, "VND"))
    assert.are.equal("1.000 tỷ USD", units.format(999999999999.9, "USD")) -- USD has no larger word
  end)

  it("rounds half away from zero on the shortest decimal and drops trailing zeros", function()
    assert.are.equal("2,68", units.format(2.675))
    assert.are.equal("-2,68", units.format(-2.675))
    assert.are.equal("0,13", units.format(0.125))
    assert.are.equal("1,1", units.format(1.1))
    assert.are.equal("1,5", units.format(1.50))
    assert.are.equal("2", units.format(1.999))
    assert.are.equal("0,3", units.format(0.1 + 0.2))
    assert.are.equal("0", units.format(0.004))
    assert.are.equal("0", units.format(-0.004))
    assert.are.equal("0", units.format(-0.0))
    assert.are.equal("1.000", units.format(999.995))
    assert.are.equal("18,4 tỷ USD", units.format(18370000000, "USD", { decimals = 1 }))
    assert.are.equal("18 tỷ USD", units.format(18370000000, "USD", { decimals = 0 }))
    assert.are.equal("19 tỷ USD", units.format(18500000000, "USD", { decimals = 0 }))
    assert.are.equal("1,0833 tỷ USD", units.format(1083300000, "USD", { decimals = 6 }))
    assert.are.equal("0,1", units.format(0.1, nil, { decimals = 30 }))
    assert.are.equal("0,000001", units.format(1e-6, nil, { decimals = 6 }))
    assert.are.equal("0", units.format(1e-6, nil, { decimals = 5 }))
    assert.are.equal("0,00001", units.format(5e-6, nil, { decimals = 5 }))
  end)

  it("writes negative numbers", function()
    assert.are.equal("-18,37 tỷ USD", units.format(-18370000000, "USD"))
    assert.are.equal("-18.37 bn USD", units.format(-18370000000, "USD", { locale = "en" }))
    assert.are.equal("-6.144 ha", units.format(-6144, "ha"))
    assert.are.equal("-5,05%", units.format(-5.05, "%"))
    assert.are.equal("-9.223.372.036.854.775.808", units.format(math.mininteger))
  end)

  it("takes a fixed scale or none", function()
    assert.are.equal("1.083,3 triệu USD", units.format(1083300000, "USD", { scale = 1e6 }))
    assert.are.equal("1,083.3 mn USD", units.format(1083300000, "USD", { scale = 1e6, locale = "en" }))
    assert.are.equal("24.853,21 triệu USD", units.format(24853210000, "USD", { scale = 1e6 }))
    assert.are.equal("308.702 tỷ đồng", units.format(308702000000000, "VND", { scale = 1e9 }))
    assert.are.equal("115,2 nghìn ha", units.format(115200, "ha", { scale = 1e3 }))
    assert.are.equal("115.2 thousand ha", units.format(115200, "ha", { scale = 1000, locale = "en" }))
    assert.are.equal("0,02 nghìn tỷ đồng", units.format(18370000000, "VND", { scale = 1e12 }))
    assert.are.equal("18.370.000.000 USD", units.format(18370000000, "USD", { scale = "none" }))
    assert.are.equal("18.370.000.000 USD", units.format(18370000000, "USD", { scale = 1 }))
    assert.are.equal("1,5 triệu", units.format(1500000, nil, { scale = 1e6 }))
    assert.are.equal("62,5%", units.format(0.625, "ratio", { scale = "none" }))
  end)

  it("raises on misuse, at the caller", function()
    assert.matches("value must be a number, got string", raised(function() units.format("5", "USD") end))
    assert.matches("value must be a number, got nil", raised(function() units.format() end))
    assert.matches("finite", raised(function() units.format(0 / 0, "USD") end))
    assert.matches("finite", raised(function() units.format(math.huge) end))
    assert.matches("unknown unit 'EUR'", raised(function() units.format(5, "EUR") end))
    assert.matches("unknown unit 'đồng'", raised(function() units.format(5, "đồng") end))
    assert.matches("option 'decimals'", raised(function() units.format(5, "USD", { decimals = -1 }) end))
    assert.matches("option 'decimals'", raised(function() units.format(5, "USD", { decimals = 1.5 }) end))
    assert.matches("option 'scale'", raised(function() units.format(5, "USD", { scale = 1e7 }) end))
    assert.matches("option 'scale'", raised(function() units.format(5, "USD", { scale = "tỷ" }) end))
    assert.matches("option 'locale'", raised(function() units.format(5, "USD", { locale = "VI" }) end))
    assert.matches("unknown option 'percent'", raised(function() units.format(5, "%", { percent = "ratio" }) end))
    assert.matches("does not apply to %%", raised(function() units.format(5, "%", { scale = 1e3 }) end))
  end)
end)

describe("format then parse", function()
  local fixed = {
    { 18370000000, "USD" }, { 121000000000000, "VND" }, { 1083300000, "USD" }, { 6144, "ha" }, { 6.144, "ha" },
    { 5.05, "%" }, { -18370000000, "USD" }, { 0, nil }, { 1, nil }, { 999, "VND" }, { 1000, "VND" },
    { 1234567.891, nil }, { 0.1, nil }, { 0.3, "ha" }, { 2.5e-7, nil }, { 123456789.123, "USD" },
    { 10221800000000000, "VND" }, { 4.3e11, "USD" }, { 4284, "USD" }, { 101.9e6, "VND" }, { 1e300, nil },
    { 5e-324, nil }, { math.maxinteger, nil }, { math.mininteger, "VND" }, { 2 ^ 53 + 1, nil },
    { 9007199254740993, "VND" }, { 1.7976931348623157e308, nil },
  }

  local function round_trip(v, unit, locale, scale)
    local text = units.format(v, unit, { locale = locale, decimals = 400, scale = scale })
    local back, u = units.parse(text, { locale = locale })
    assert(back ~= nil, u)
    assert.are.equal(v, back, text)
    assert.are.equal(unit, u, text)
    if math.type(v) == "integer" then assert.are.equal("integer", math.type(back), text) end
  end

  it("gives back the exact value in both locales", function()
    for _, c in ipairs(fixed) do
      for _, locale in ipairs({ "vi", "en" }) do
        round_trip(c[1], c[2], locale)
        if c[2] ~= "%" then
          for _, scale in ipairs({ 1, 1e3, 1e6, 1e9, 1e12 }) do round_trip(c[1], c[2], locale, scale) end
        end
      end
    end
  end)

  it("gives back many random values, integers and floats, in both locales", function()
    math.randomseed(20240630)
    local unit_list = { "USD", "VND", "ha", "%", false }
    for _ = 1, 3000 do
      local v
      local r = math.random(4)
      if r == 1 then
        v = math.random(-10 ^ 15 // 1, 10 ^ 15 // 1)
      elseif r == 2 then
        v = math.random(math.mininteger, math.maxinteger)
      elseif r == 3 then
        v = (math.random() - 0.5) * 10 ^ math.random(-12, 18)
      else
        v = math.random(-10 ^ 6 // 1, 10 ^ 6 // 1) / 100 -- two decimals, as published
      end
      local unit = unit_list[math.random(#unit_list)] or nil
      round_trip(v, unit, math.random(2) == 1 and "vi" or "en")
    end
  end)

  it("gives back the published value with the default two decimals", function()
    for _, c in ipairs({ { 18370000000, "USD" }, { 1.21e14, "VND" }, { 3.56e9, "USD" }, { 24.6e9, "USD" },
      { 12.56e9, "USD" }, { 83e12, "VND" }, { 6144, "ha" }, { 4028, "ha" }, { 5.05, "%" }, { 63.25, "%" } }) do
      for _, locale in ipairs({ "vi", "en" }) do
        local text = units.format(c[1], c[2], { locale = locale })
        local back, u = units.parse(text, { locale = locale })
        assert.are.equal(c[1], back, text)
        assert.are.equal(c[2], u, text)
      end
    end
  end)

  it("round-trips ratios through '%' with percent = 'ratio'", function()
    for _, v in ipairs({ 0.625, 0.0505, 1, 0, 0.638, 0.6325, -0.21, 2.42, 0.001 }) do
      for _, locale in ipairs({ "vi", "en" }) do
        local text = units.format(v, "ratio", { locale = locale, decimals = 10 })
        local back, u = units.parse(text, { locale = locale, percent = "ratio" })
        assert.are.equal(v, back, text)
        assert.are.equal("ratio", u)
      end
    end
  end)
end)

describe("units.rate and units.convert", function()
  local saved_rates, saved_loader
  before_each(function()
    saved_rates, saved_loader = units.default_rates, units.rates_loader
    units.default_rates, units.rates_loader = nil, nil
  end)
  after_each(function()
    units.default_rates, units.rates_loader = saved_rates, saved_loader
  end)

  it("converts USD and VND with an explicit rates table", function()
    local v, r = units.convert(1e6, "USD", "VND", 2019, FX)
    assert.are.equal(23050.24, r)
    assert.are.equal(1e6 * 23050.24, v)
    v, r = units.convert(23159780000, "VND", "USD", 2021, FX)
    assert.are.equal(23159.78, r)
    assert.is_true(math.abs(v - 1e6) < 1e-6)
    v, r = units.convert(10221.8e12, "VND", "USD", 2023, FX)
    assert.are.equal(23771.63, r)
    assert.is_true(math.abs(v - 430e9) < 1e6) -- the GDP pair the 2023 rate is derived from
  end)

  it("converts a unit to itself at rate 1 without rates", function()
    assert.are.same({ 5, 1 }, { units.convert(5, "USD", "USD", 2022) })
    assert.are.same({ 7.5, 1 }, { units.convert(7.5, "VND", "VND", 1999) })
  end)

  it("reports years without a rate", function()
    for _, year in ipairs({ 2022, 2024, 2003 }) do
      local v, msg = units.convert(1, "USD", "VND", year, FX)
      assert.is_nil(v)
      assert.are.equal("units.convert: no USD/VND rate for " .. year, msg)
      v, msg = units.rate(year, FX)
      assert.is_nil(v)
      assert.are.equal("units.rate: no USD/VND rate for " .. year, msg)
    end
  end)

  it("reports invalid rates", function()
    local v, msg = units.convert(1, "USD", "VND", 2019, { [2019] = "23050.24" })
    assert.is_nil(v)
    assert.matches("invalid USD/VND rate for 2019", msg)
    v, msg = units.rate(2019, { [2019] = -1 })
    assert.is_nil(v)
    assert.matches("invalid USD/VND rate for 2019", msg)
  end)

  it("gives the rate of a year, also for a float year", function()
    assert.are.equal(23050.24, units.rate(2019, FX))
    assert.are.equal(23159.78, units.rate(2021.0, FX))
  end)

  it("says when no rates are loaded", function()
    assert.are.same({ nil, "units.convert: no exchange rates loaded" }, { units.convert(1, "USD", "VND", 2019) })
    assert.are.same({ nil, "units.rate: no exchange rates loaded" }, { units.rate(2019) })
  end)

  it("uses default_rates when no table is passed", function()
    units.default_rates = FX
    assert.are.same({ 23050.24 * 2, 23050.24 }, { units.convert(2, "USD", "VND", 2019) })
    assert.are.equal(23159.78, units.rate(2021))
    assert.are.equal(1, units.rate(2021, { [2021] = 1 })) -- an explicit table wins
  end)

  it("calls rates_loader once and keeps its table; here loading data/vn/fx.csv", function()
    local calls = 0
    units.rates_loader = function()
      calls = calls + 1
      local t = {}
      for line in io.lines("data/vn/fx.csv") do
        local year, rate = line:match("^(%d+),([%d.]+),")
        if year then t[tonumber(year)] = tonumber(rate) end
      end
      return t
    end
    assert.are.equal(23050.24, units.rate(2019))
    assert.are.equal(23159.78, units.rate(2021))
    assert.are.equal(15746.00, units.rate(2004))
    assert.are.equal(23771.63, units.rate(2023))
    assert.are.same({ nil, "units.convert: no USD/VND rate for 2022" }, { units.convert(1, "USD", "VND", 2022) })
    assert.are.equal(1, calls)
    for year, rate in pairs(FX) do assert.are.equal(rate, units.default_rates[year]) end
  end)

  it("passes on a loader's failure", function()
    units.rates_loader = function() return nil, "fx.csv: not found" end
    assert.are.same({ nil, "units.convert: no exchange rates loaded (fx.csv: not found)" },
      { units.convert(1, "USD", "VND", 2019) })
    assert.is_nil(units.default_rates)
  end)

  it("raises on misuse, at the caller", function()
    assert.matches("value must be a number", raised(function() units.convert("1", "USD", "VND", 2019, FX) end))
    assert.matches("unknown currency 'EUR'", raised(function() units.convert(1, "EUR", "VND", 2019, FX) end))
    assert.matches("unknown currency 'nil'", raised(function() units.convert(1, nil, "VND", 2019, FX) end))
    assert.matches("unknown currency 'đồng'", raised(function() units.convert(1, "USD", "đồng", 2019, FX) end))
    assert.matches("year must be an integer", raised(function() units.convert(1, "USD", "VND", "2019", FX) end))
    assert.matches("year must be an integer", raised(function() units.convert(1, "USD", "VND", 2019.5, FX) end))
    assert.matches("year must be an integer", raised(function() units.convert(1, "USD", "VND", nil, FX) end))
    assert.matches("rates must be a table", raised(function() units.convert(1, "USD", "VND", 2019, 23050) end))
    assert.matches("year must be an integer", raised(function() units.rate(0 / 0, FX) end))
    assert.matches("rates must be a table", raised(function() units.rate(2019, "fx.csv") end))
  end)
end)
