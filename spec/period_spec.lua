-- zs.period (reporting periods) and the engine's date parts :quarter() :half() :week() :iso_year(),
-- against hand-computed dates.
local zs = require "zonestat"
local period = zs.period
local NA = zs.NA

-- parse must succeed; returns the period
local function parsed(text)
  local p, err = period.parse(text)
  assert(p ~= nil, ("parse(%q) failed: %s"):format(text, tostring(err)))
  return p
end

-- the kind and days of a parsed text
local function days(text, kind, from, to)
  local p = parsed(text)
  assert.equals(kind, p.kind, text)
  assert.equals(from, p.from, text)
  assert.equals(to, p.to, text)
  return p
end

-- parse must fail with an English and a Vietnamese message naming the text
local function rejected(text, pattern)
  local p, en, vi = period.parse(text)
  assert.is_nil(p, text)
  assert.is_string(en)
  assert.is_string(vi)
  assert.matches("^period%.parse: ", en)
  assert.is_truthy(en:find("'" .. text .. "'", 1, true), en)
  assert.is_truthy(vi:find("'" .. text .. "'", 1, true), vi)
  if pattern then assert.is_truthy(en:find(pattern, 1, true), en) end
  return en, vi
end

-- the error message raised by f, pointing at this file (error level 2)
local function raised(f)
  local ok, err = pcall(f)
  assert.is_false(ok)
  assert.matches("period_spec%.lua:%d+: period%.", err)
  return err
end

describe("period.parse", function()
  it("reads years, halves, quarters and months with their days", function()
    days("2024", "Y", "2024-01-01", "2024-12-31")
    days("2024-H1", "H", "2024-01-01", "2024-06-30")
    days("2024-H2", "H", "2024-07-01", "2024-12-31")
    days("2024-Q1", "Q", "2024-01-01", "2024-03-31")
    days("2024-Q2", "Q", "2024-04-01", "2024-06-30")
    days("2024-Q3", "Q", "2024-07-01", "2024-09-30")
    days("2024-Q4", "Q", "2024-10-01", "2024-12-31")
    days("2024-06", "M", "2024-06-01", "2024-06-30")
    days("2024-M06", "M", "2024-06-01", "2024-06-30")
    days("2024-01", "M", "2024-01-01", "2024-01-31")
    days("2024-04", "M", "2024-04-01", "2024-04-30")
    days("2024-12", "M", "2024-12-01", "2024-12-31")
  end)

  it("ends February on the 29th in leap years only", function()
    days("2024-02", "M", "2024-02-01", "2024-02-29")
    days("2023-02", "M", "2023-02-01", "2023-02-28")
    days("2000-02", "M", "2000-02-01", "2000-02-29") -- divisible by 400
    days("1900-M02", "M", "1900-02-01", "1900-02-28") -- by 100, not 400
    days("2100-02", "M", "2100-02-01", "2100-02-28")
    days("2T/2024", "YTD", "2024-01-01", "2024-02-29")
    days("2T/2023", "YTD", "2023-01-01", "2023-02-28")
    days("2024-Q1", "Q", "2024-01-01", "2024-03-31")
  end)

  it("reads year-to-date forms: nT/yyyy and 'n tháng đầu năm'", function()
    days("6T/2024", "YTD", "2024-01-01", "2024-06-30")
    days("9T/2024", "YTD", "2024-01-01", "2024-09-30")
    days("11T/2024", "YTD", "2024-01-01", "2024-11-30")
    days("6 tháng đầu năm 2024", "YTD", "2024-01-01", "2024-06-30")
    days("9 tháng đầu năm 2024", "YTD", "2024-01-01", "2024-09-30")
    assert.equals(9, parsed("9T/2024").n)
    assert.equals(2024, parsed("9T/2024").year)
  end)

  it("makes 12T the year and 1T the month of January", function()
    local twelve, year = parsed("12T/2024"), parsed("2024")
    assert.same(year, twelve)
    assert.equals("Y", twelve.kind)
    assert.same(parsed("2024-01"), parsed("1T/2024"))
    assert.same(parsed("12T/2024"), parsed("12 tháng đầu năm 2024"))
  end)

  it("reads Vietnamese text in any case, NFC or NFD, with or without diacritics", function()
    local nfc = "9 tháng đầu năm 2024"
    local nfd = "9 tha\u{301}ng \u{111}a\u{302}\u{300}u na\u{306}m 2024"
    assert.are_not.equal(nfc, nfd)
    for _, text in ipairs({ nfc, nfd, "9 THÁNG ĐẦU NĂM 2024", "9 thang dau nam 2024", "  9  Tháng đầu   năm 2024 " }) do
      days(text, "YTD", "2024-01-01", "2024-09-30")
    end
    days("quý II/2024", "Q", "2024-04-01", "2024-06-30")
    days("quý 2/2024", "Q", "2024-04-01", "2024-06-30")
    days("Quý IV/2024", "Q", "2024-10-01", "2024-12-31")
    days("QUY iii / 2024", "Q", "2024-07-01", "2024-09-30")
    days("qu\u{1ef3} I/2024", "Q", "2024-01-01", "2024-03-31") -- "quỳ": a wrong tone mark is still read
    days("quý II năm 2024", "Q", "2024-04-01", "2024-06-30")
    days("6 tháng cuối năm 2024", "H", "2024-07-01", "2024-12-31")
    days("6 THANG CUOI NAM 2024", "H", "2024-07-01", "2024-12-31")
    days("tháng 6/2024", "M", "2024-06-01", "2024-06-30")
    days("năm 2024", "Y", "2024-01-01", "2024-12-31")
    days("2024-h1", "H", "2024-01-01", "2024-06-30")
    days("2024-q3", "Q", "2024-07-01", "2024-09-30")
    days("2024-m06", "M", "2024-06-01", "2024-06-30")
  end)

  it("labels each kind in Vietnamese and English", function()
    local function labels(text, vi, en)
      local p = parsed(text)
      assert.equals(vi, p.label_vi, text)
      assert.equals(en, p.label_en, text)
    end
    labels("2024", "năm 2024", "2024")
    labels("2024-H1", "6 tháng đầu năm 2024", "H1 2024")
    labels("2024-H2", "6 tháng cuối năm 2024", "H2 2024")
    labels("6 tháng cuối năm 2024", "6 tháng cuối năm 2024", "H2 2024")
    labels("2024-Q2", "quý II/2024", "Q2 2024")
    labels("quý 4/2024", "quý IV/2024", "Q4 2024")
    labels("2024-06", "tháng 6/2024", "June 2024")
    labels("2024-M11", "tháng 11/2024", "November 2024")
    labels("9T/2024", "9 tháng đầu năm 2024", "January–September 2024")
    labels("6T/2024", "6 tháng đầu năm 2024", "January–June 2024")
  end)

  it("parses its labels back", function()
    for _, text in ipairs({ "2024", "2024-H2", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2024-02", "2024-12",
      "9T/2024", "6T/2024" }) do
      local p = parsed(text)
      assert.same(p, parsed(p.label_vi), p.label_vi)
      assert.same(p, parsed(p.label_en), p.label_en)
    end
    -- the Vietnamese label of H1 is also the YTD of six months: same days, kind YTD
    local h1 = parsed("2024-H1")
    assert.same(h1, parsed(h1.label_en))
    days(h1.label_vi, "YTD", h1.from, h1.to)
  end)

  it("rejects text that is not a period, naming it", function()
    rejected("2024-13", "month 13")
    rejected("2024-M00", "month 0")
    rejected("2024-Q5", "quarter 5")
    rejected("2024-Q0", "quarter 0")
    rejected("quý V/2024", "quarter V")
    rejected("2024-H3", "half 3")
    rejected("0T/2024", "0 months")
    rejected("13T/2024", "13 months")
    rejected("tháng 13/2024", "month 13")
    rejected("3 tháng cuối năm 2024", "the last 3 months")
    rejected("0000", "year 0000")
    local en = rejected("12345")
    assert.is_truthy(en:find("2024-Q2", 1, true), en) -- the accepted forms
    assert.is_truthy(en:find("quý II/2024", 1, true), en)
    rejected("2024.5")
    rejected("24")
    rejected("Q2")
    rejected("2024 Q2 extra")
    local p, msg, vi = period.parse("")
    assert.is_nil(p)
    assert.matches("empty", msg)
    assert.is_string(vi)
    assert.is_nil((period.parse("   ")))
    assert.is_nil((period.parse("\xff2024")))
  end)

  it("raises on a non-string argument", function()
    assert.matches("must be a string, got number", raised(function() period.parse(2024) end))
    assert.matches("got nil", raised(function() period.parse() end))
    assert.matches("got table", raised(function() period.parse({}) end))
  end)
end)

describe("period.previous_year", function()
  local function prev(text, from, to)
    local p = period.previous_year(text)
    assert.equals(parsed(text).kind, p.kind, text)
    assert.equals(from, p.from, text)
    assert.equals(to, p.to, text)
    return p
  end

  it("gives the same period a year earlier, for every kind", function()
    prev("2024", "2023-01-01", "2023-12-31")
    prev("2024-H1", "2023-01-01", "2023-06-30")
    prev("2024-H2", "2023-07-01", "2023-12-31")
    prev("2024-Q1", "2023-01-01", "2023-03-31")
    prev("2024-Q3", "2023-07-01", "2023-09-30")
    prev("2024-06", "2023-06-01", "2023-06-30")
    prev("9T/2024", "2023-01-01", "2023-09-30")
    prev("2000", "1999-01-01", "1999-12-31")
  end)

  it("ends February where that year's February ends", function()
    prev("2024-M02", "2023-02-01", "2023-02-28")
    prev("2025-02", "2024-02-01", "2024-02-29")
    prev("2001-02", "2000-02-01", "2000-02-29")
    prev("1901-02", "1900-02-01", "1900-02-28")
    prev("2T/2025", "2024-01-01", "2024-02-29")
    prev("2T/2024", "2023-01-01", "2023-02-28")
  end)

  it("relabels for that year", function()
    local p = period.previous_year("quý II/2024")
    assert.equals("quý II/2023", p.label_vi)
    assert.equals("Q2 2023", p.label_en)
    assert.equals(2023, p.year)
    assert.equals(2, p.n)
    p = period.previous_year("9T/2024")
    assert.equals("9 tháng đầu năm 2023", p.label_vi)
    assert.equals("January–September 2023", p.label_en)
    assert.same(parsed("2023-H1"), period.previous_year(parsed("2024-H1")))
  end)

  it("moves a cumulative period back a year, 29 February to 28", function()
    local p = period.previous_year(period.cumulative("2024-02-29"))
    assert.equals("CUM", p.kind)
    assert.is_nil(p.from)
    assert.equals("2023-02-28", p.to)
    assert.equals("lũy kế đến 28/02/2023", p.label_vi)
    assert.equals("2022-06-30", period.previous_year(period.cumulative("2023-06-30")).to)
  end)

  it("has nothing before the year 0001 and raises on what is not a period", function()
    local p, en, vi = period.previous_year("0001-Q1")
    assert.is_nil(p)
    assert.matches("0001", en)
    assert.is_string(vi)
    assert.matches("quarter 5", raised(function() period.previous_year("2024-Q5") end))
    assert.matches("argument #1", raised(function() period.previous_year(2024) end))
  end)
end)

describe("period.contains", function()
  it("includes the first and the last day and nothing beyond", function()
    local cases = {
      { "2024-Q2", "2024-03-31", false }, { "2024-Q2", "2024-04-01", true }, { "2024-Q2", "2024-06-30", true },
      { "2024-Q2", "2024-07-01", false },
      { "2024-02", "2024-02-29", true }, { "2024-02", "2024-03-01", false }, { "2023-02", "2023-02-28", true },
      { "2024", "2023-12-31", false }, { "2024", "2024-01-01", true }, { "2024", "2024-12-31", true },
      { "2024", "2025-01-01", false },
      { "9T/2024", "2024-09-30", true }, { "9T/2024", "2024-10-01", false },
      { "2024-H1", "2024-06-30", true }, { "2024-H1", "2024-07-01", false }, { "2024-H2", "2024-07-01", true },
    }
    for _, c in ipairs(cases) do
      assert.equals(c[3], period.contains(c[1], c[2]), c[1] .. " " .. c[2])
    end
    local p = parsed("2024-Q3")
    assert.is_true(period.contains(p, "2024-08-15"))
    local cum = period.cumulative("2024-06-30")
    assert.is_true(period.contains(cum, "1990-01-01"))
    assert.is_true(period.contains(cum, "2024-06-30"))
    assert.is_false(period.contains(cum, "2024-07-01"))
  end)

  it("gives nil for NA and raises on what is not a date", function()
    assert.is_nil(period.contains("2024", NA))
    assert.is_nil(period.contains("2024", nil))
    assert.matches("argument #2", raised(function() period.contains("2024", "2024-02-30") end))
    assert.matches("argument #2", raised(function() period.contains("2024", "30/06/2024") end))
    assert.matches("argument #2", raised(function() period.contains("2024", 20240630) end))
    assert.matches("month 13", raised(function() period.contains("2024-13", "2024-01-01") end))
  end)
end)

describe("period.of, from_date, to_date, expr", function()
  it("takes text or a parsed table", function()
    assert.same(parsed("2024-Q2"), period.of("2024-Q2"))
    local p = parsed("9T/2024")
    local q = period.of(p)
    assert.same(p, q)
    assert.are_not.equal(p, q) -- a new table
    assert.same(parsed("2024-Q2"), period.of({ kind = "Q", from = "2024-04-01", to = "2024-06-30" }))
    assert.same(period.cumulative("2024-06-30"), period.of({ kind = "CUM", to = "2024-06-30" }))
  end)

  it("checks a table", function()
    local function bad(t, pattern)
      local p, en, vi = period.of(t)
      assert.is_nil(p)
      assert.matches("^period%.of: ", en)
      assert.is_string(vi)
      assert.is_truthy(en:find(pattern, 1, true), en)
    end
    bad({ kind = "Q", from = "2024-04-01", to = "2024-06-29" }, "not a period of kind Q")
    bad({ kind = "Q", from = "2024-04-02", to = "2024-06-30" }, "not a period of kind Q")
    bad({ kind = "M", from = "2023-02-01", to = "2023-02-29" }, "'to' is 2023-02-29")
    bad({ kind = "H", from = "2024-01-01", to = "2024-12-31" }, "not a period of kind H")
    bad({ kind = "YTD", from = "2024-01-01", to = "2024-01-31" }, "kind M")
    bad({ kind = "W", from = "2024-01-01", to = "2024-01-07" }, "kind is W")
    bad({ from = "2024-01-01", to = "2024-12-31" }, "kind is nil")
    bad({ kind = "Y", to = "2024-12-31" }, "'from' is nil")
    bad({ kind = "CUM", from = "2024-01-01", to = "2024-06-30" }, "no 'from'")
    bad({ kind = "Q", from = "2024-04-01", to = "2024-06-30", label_vi = "quý 2/2024" }, "label_vi")
    bad({ kind = "Q", from = "2024-04-01", to = "2024-06-30", n = 3 }, "n is 3")
    bad({ kind = "Y", from = "2024-01-01", to = "2024-12-31", year = 2023 }, "year is 2023")
    assert.matches("argument #1", raised(function() period.of(42) end))
  end)

  it("gives the first and last days", function()
    assert.equals("2024-09-30", period.to_date("9T/2024"))
    assert.equals("2024-01-01", period.from_date("9T/2024"))
    assert.equals("2024-02-29", period.to_date(parsed("2024-02")))
    assert.is_nil(period.from_date(period.cumulative("2024-06-30")))
    assert.matches("period%.to_date", raised(function() period.to_date("2024-Q9") end))
  end)

  it("filters a date column to the period", function()
    local f = zs.frame({ d = zs.column({ "2024-03-31", "2024-04-01", "2024-06-30", "2024-07-01", NA }, "date") })
    assert.same({ "2024-04-01", "2024-06-30" }, f:filter(period.expr("2024-Q2", "d")):column("d"):totable())
    assert.same({ "2024-03-31", "2024-04-01" },
      f:filter(period.expr(period.cumulative("2024-04-01"), "d")):column("d"):totable())
    assert.matches("argument #2", raised(function() period.expr("2024", 1) end))
  end)
end)

describe("period.cumulative", function()
  it("runs to a day, with its labels", function()
    local p = period.cumulative("2024-06-30")
    assert.same({ to = "2024-06-30", kind = "CUM", label_vi = "lũy kế đến 30/06/2024",
      label_en = "cumulative to 30 June 2024" }, p)
    assert.is_nil(p.from)
    assert.same(p, period.cumulative("30/06/2024"))
    assert.equals("cumulative to 1 March 2024", period.cumulative("2024-03-01").label_en)
    assert.equals("lũy kế đến 01/03/2024", period.cumulative("2024-03-01").label_vi)
    assert.same(p, parsed(p.label_vi))
    assert.same(p, parsed(p.label_en))
  end)

  it("rejects what is not a day, and raises on a non-string", function()
    for _, text in ipairs({ "2023-02-29", "2024-13-01", "31/04/2024", "2024", "" }) do
      local p, en, vi = period.cumulative(text)
      assert.is_nil(p, text)
      assert.is_truthy(en:find("'" .. text .. "'", 1, true), en)
      assert.is_string(vi)
    end
    assert.is_table(period.cumulative("2024-02-29"))
    assert.matches("argument #1", raised(function() period.cumulative(20240630) end))
  end)
end)

describe("date parts", function()
  local col = zs.col

  local function parts(dates, what)
    local f = zs.frame({ d = zs.column(dates, "date") })
    local g = f:mutate({ x = col("d")[what](col("d")) })
    assert.equals("int", g:column("x"):type())
    return g:column("x"):totable()
  end

  it("quarter and half of the first and last day of each quarter", function()
    local dates = { "2024-01-01", "2024-03-31", "2024-04-01", "2024-06-30", "2024-07-01", "2024-09-30",
      "2024-10-01", "2024-12-31", "1969-12-31", "1900-03-31", "1900-04-01" }
    assert.same({ 1, 1, 2, 2, 3, 3, 4, 4, 4, 1, 2 }, parts(dates, "quarter"))
    assert.same({ 1, 1, 1, 1, 2, 2, 2, 2, 2, 1, 1 }, parts(dates, "half"))
  end)

  it("ISO weeks and their years, across year ends", function()
    -- {date, week, iso_year}, worked out by hand from the weekday of each date
    local cases = {
      { "2020-12-31", 53, 2020 }, -- Thursday: 2020 began on a Wednesday, so 53 weeks
      { "2021-01-03", 53, 2020 }, -- Sunday of that week
      { "2021-01-04", 1, 2021 },  -- Monday
      { "2024-12-30", 1, 2025 },  -- Monday; Thursday 2025-01-02
      { "2015-12-31", 53, 2015 }, -- Thursday; 2015 began on a Thursday
      { "2016-01-01", 53, 2015 }, -- Friday
      { "2018-12-31", 1, 2019 },  -- Monday; 2019 began on a Tuesday
      { "1969-12-29", 1, 1970 },  -- Monday; 1970 began on a Thursday
      { "1970-01-01", 1, 1970 },  -- day 0
      { "1900-01-01", 1, 1900 },  -- a Monday
      { "1899-12-31", 52, 1899 }, -- the Sunday before
      { "2024-06-30", 26, 2024 },  -- Sunday
      { "2024-01-01", 1, 2024 },  -- Monday
      { "2023-01-01", 52, 2022 }, -- Sunday
    }
    local dates, weeks, years = {}, {}, {}
    for i, c in ipairs(cases) do dates[i], weeks[i], years[i] = c[1], c[2], c[3] end
    assert.same(weeks, parts(dates, "week"))
    assert.same(years, parts(dates, "iso_year"))
  end)

  it("gives NA for NA", function()
    local dates = { "2024-05-01", NA }
    for _, what in ipairs({ "quarter", "half", "week", "iso_year" }) do
      assert.same({ ({ quarter = 2, half = 1, week = 18, iso_year = 2024 })[what], NA }, parts(dates, what))
    end
  end)

  it("raises, naming the op, on a column that is not a date", function()
    local f = zs.frame({ n = { 1, 2 }, s = { "2024-01-01", "x" } })
    for _, what in ipairs({ "quarter", "half", "week", "iso_year" }) do
      local ok, err = pcall(function() return f:mutate({ x = col("n")[what](col("n")) }) end)
      assert.is_false(ok)
      assert.matches(what .. "%(%) needs a date, got int", err)
      ok, err = pcall(function() return f:filter(col("s")[what](col("s")):eq(1)) end)
      assert.is_false(ok)
      assert.matches(what .. "%(%) needs a date, got str", err)
    end
  end)

  it("print as methods", function()
    assert.equals("d:week()", tostring(col("d"):week()))
    assert.equals("d:iso_year()", tostring(col("d"):iso_year()))
  end)
end)
