-- Reports (Markdown, HTML rendered in headless Chromium) and the command line.
local zs = require "zonestat"
local util = require "spec_util"

local function contains(text, s) return text:find(s, 1, true) ~= nil end

describe("report", function()
  local ds = assert(zs.dataset.load())

  it("recomputes the article's headline figures in Markdown, with sources", function()
    local md = assert(zs.report.markdown(ds, { provinces = { "Quảng Ngãi", "Hải Phòng" }, locale = "en" }))
    assert.is_true(contains(md, "Headline figures"))
    assert.is_true(contains(md, "| Projects | 784 | 784 [1] |"), md)
    assert.is_true(contains(md, "| Projects | 349 | 349 [1] |"))
    assert.is_true(contains(md, "| Operating projects | 256 | 256 [1] |"))
    assert.is_true(contains(md, "| Industrial production projects | 195 | 195 [1] |"))
    assert.is_true(contains(md, "SYNTHETIC"))
    assert.is_true(contains(md, "Implied, not measured"))
    assert.is_true(contains(md, "28.5 %"))
    assert.is_true(contains(md, "1. Báo Quảng Ngãi, 03/07/2024"))
  end)

  it("writes Vietnamese text in NFC", function()
    local md = assert(zs.report.markdown(ds, { provinces = { "qn", "hp" } }))
    assert.equals(md, zs.nfc(md))
    assert.is_true(contains(md, "Số liệu chính"))
  end)

  it("makes one self-contained HTML page", function()
    local html = assert(zs.report.html(ds, { provinces = { "qn", "hp" } }))
    assert.is_true(contains(html, '<meta charset="utf-8">'))
    assert.is_true(contains(html, "<svg"))
    assert.is_nil(html:find("<script", 1, true))
    assert.is_nil(html:find("<link", 1, true))
    assert.is_nil(html:find('src="', 1, true))
    assert.is_nil(html:find("@import", 1, true))
    assert.is_nil(html:find("url%("))
    -- every footnote marker points at a source
    for n in html:gmatch('href="#src(%d+)"') do assert.is_true(contains(html, 'id="src' .. n .. '"')) end
  end)

  it("rejects unknown provinces and locales", function()
    local m, err = zs.report.build(ds, { provinces = { "Atlantis" } })
    assert.is_nil(m)
    assert.matches("no province named 'Atlantis'", err)
    assert.has_error(function() zs.report.build(ds, { locale = "fr" }) end)
  end)

  local chromium = util.run("command -v chromium"):match("%S+")
  local identify = util.run("command -v identify"):match("%S+")
  local render = (chromium and identify) and it or pending
  render("renders in headless Chromium to a picture that is not blank", function()
    local page = util.tmpfile("report.html")
    assert(zs.report.write(page, zs.report.html(ds, { provinces = { "qn", "hp" } })))
    local png = util.tmpfile("report.png")
    local profile = util.tmpdir() .. "/chromium-profile"
    local cmd = string.format("timeout 120 %s --headless --no-sandbox --disable-gpu --disable-quic --no-first-run " ..
      "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=%s " ..
      "--window-size=1000,2000 --screenshot=%s file://%s", chromium, profile, png, page)
    util.run(cmd)
    local sd = tonumber((util.run("identify -format '%[fx:standard_deviation]' " .. png)))
    assert.is_true(sd ~= nil and sd > 0.05, "standard deviation of the screenshot: " .. tostring(sd))
  end)
  if not (chromium and identify) then
    print("\nreport_cli_spec: Chromium or ImageMagick is missing; the HTML rendering check is skipped")
  end
end)

describe("zonestat command", function()
  local function zonestat(args)
    return util.run("lua5.4 bin/zonestat " .. args)
  end

  it("prints help for every command", function()
    for _, c in ipairs({ "", "report ", "profile ", "compare ", "agg ", "describe " }) do
      local out, code = zonestat(c .. "--help")
      assert.equals(0, code)
      assert.matches("Usage: zonestat", out)
    end
  end)

  it("runs the report and writes the HTML page", function()
    local html = util.tmpfile("cli-report.html")
    local out, code = zonestat("report --province 'Quảng Ngãi' --province 'Hải Phòng' --locale en --html " .. html)
    assert.equals(0, code, out)
    assert.is_true(contains(out, "| Projects | 784 | 784 [1] |"))
    assert.is_true(contains(util.read(html), "<svg"))
  end)

  it("profiles and compares in several formats", function()
    local out, code = zonestat("profile --province 'Hai Phong' --as-of 2024-06-30 --format csv")
    assert.equals(0, code, out)
    assert.is_true(contains(out, "projects,784.0,count"))
    local js = zonestat("compare hp qn --format json")
    local t = require("cjson").decode(js)
    assert.equals("projects", t[1].indicator)
    local md = zonestat("compare hp qn --format md")
    assert.is_true(contains(md, "| indicator | unit | hp | qn | ratio |"))
  end)

  it("aggregates and describes CSV files", function()
    -- capital_usd is derived by the dataset, not a column of the file itself
    local out, code = zonestat("--locale en agg data/vn/projects.csv --by origin --count --sum capital_usd --format csv")
    assert.equals(1, code)
    assert.matches("no column named 'capital_usd' %(columns: id, zone_id,", out)
    out, code = zonestat("agg data/vn/projects.csv --by origin --count --mean employees --format csv")
    assert.equals(0, code, out)
    assert.is_true(contains(out, "origin,n,employees_mean\nFDI,619,"))
    out, code = zonestat("describe data/vn/zones.csv")
    assert.equals(0, code)
    assert.is_true(contains(out, "natural_area_ha"))
  end)

  it("reports errors on stderr with a non-zero status", function()
    local out, code = zonestat("profile --province Atlantis")
    assert.equals(1, code)
    assert.matches("zonestat: profile: no province named 'Atlantis'", out)
    out, code = zonestat("describe /no/such.csv")
    assert.equals(1, code)
    assert.matches("/no/such.csv: No such file or directory", out)
    local _, status = zonestat("frobnicate")
    assert.equals(2, status)
    out, code = zonestat("--locale en agg data/vn/zones.csv --by kind")
    assert.equals(1, code)
    assert.matches("give at least one of", out)
    out, code = zonestat("agg data/vn/zones.csv --by kind")
    assert.equals(1, code)
    assert.matches("hãy nêu ít nhất một trong", out)
  end)
end)
