-- Reports (Markdown, HTML rendered in headless Chromium) and the command line.
local zs = require "zonestat"
local util = require "spec_util"

local function contains(text, s) return text:find(s, 1, true) ~= nil end

describe("report", function()
  local ds = assert(zs.dataset.load())

  it("recomputes the article's headline figures in Markdown, with sources", function()
    local md = assert(zs.report.markdown(ds, { provinces = { "Quảng Ngãi", "Hải Phòng" }, locale = "en" }))
    assert.is_true(contains(md, "Headline figures"))
    assert.is_true(contains(md, "| Projects | 784 projects [1] | 2024-06-30 | 784 projects S |"), md)
    assert.is_true(contains(md, "| Projects | 349 projects [1] | 2024-06-30 | 349 projects S |"))
    assert.is_true(contains(md, "| Operating projects | 256 projects [1] | 2024-06-30 | 256 projects S |"))
    assert.is_true(contains(md, "| Industrial production projects | 195 projects [1] | 2024-06-30 | 195 projects S |"))
    assert.is_true(contains(md, "SYNTHETIC"))
    assert.is_true(contains(md, "Implied, not measured"))
    assert.is_true(contains(md, "28.5% a year"))
    assert.is_true(contains(md, "1. Nhị Hưng, «Đổi mới quản lý khu kinh tế, khu công nghiệp», Báo Quảng Ngãi, " ..
      "03/07/2024 (URL not retrieved)"), md)
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
    assert.is_true(contains(out, "| Projects | 784 projects [1] | 2024-06-30 | 784 projects S |"))
    assert.is_true(contains(util.read(html), "<svg"))
  end)

  it("profiles and compares in several formats", function()
    local out, code = zonestat("--locale en profile --province 'Hai Phong' --as-of 2024-06-30 --format csv")
    assert.equals(0, code, out)
    assert.is_true(contains(out, "hp,Hải Phòng,as_of,,2024-06-30,projects,Projects,784.0,count,synthetic"), out)
    out, code = zonestat("profile --province 'Hai Phong' --as-of 2024-06-30 --format csv")
    assert.equals(0, code, out)
    assert.is_true(contains(out, "hp;Hải Phòng;as_of;;2024-06-30;projects;Số dự án;784,0;count;synthetic"), out)
    local js = util.run("{ lua5.4 bin/zonestat compare hp qn --format json 2>/dev/null; }")
    local t = require("cjson").decode(js)
    assert.equals("projects", t[1].indicator)
    assert.equals("as_of", t[1].span)
    assert.equals("hp", t[1].entity)
    assert.equals("synthetic", t[1].class)
    local md = zonestat("compare hp qn --format md")
    assert.is_true(contains(md, "| chỉ tiêu | Hải Phòng | Quảng Ngãi |"), md)
  end)

  it("aggregates and describes CSV files", function()
    -- capital_usd is derived by the dataset, not a column of the file itself
    local out, code = zonestat("--locale en agg data/vn/projects.csv --by origin --count --sum capital_usd --format csv")
    assert.equals(1, code)
    assert.matches("no column named 'capital_usd' %(columns: id, zone_id,", out)
    out, code = zonestat("--locale en agg data/vn/projects.csv --by origin --count --mean employees --format csv")
    assert.equals(0, code, out)
    assert.is_true(contains(out, "origin,n,employees_mean\nFDI,635,"))
    out, code = zonestat("agg data/vn/projects.csv --by origin --count --mean employees --format csv")
    assert.equals(0, code, out)
    assert.is_true(contains(out, "origin;n;employees_mean\nFDI;635;"))
    out, code = zonestat("describe data/vn/zones.csv")
    assert.equals(0, code)
    assert.is_true(contains(out, "natural_area_ha"))
  end)

  it("reports errors on stderr with a non-zero status", function()
    local out, code = zonestat("profile --province Atlantis")
    assert.equals(1, code)
    assert.equals("zonestat: 'Atlantis': không có tỉnh nào mang tên này trong dữ liệu: hãy viết tên hoặc mã "
      .. "như trong provinces.csv (ví dụ 'Hà Nội' hoặc 'hn')\n", out)
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

describe("zonestat report exports", function()
  local cjson = require "cjson"
  local export = require "zonestat.export"
  local BOM = "\239\187\191"
  local VI = { sep = ";", decimal = ",", thousands = "" }
  local LUA = util.run("command -v lua5.4"):match("%S+")
  local runs = 0

  -- stdout and stderr apart, and the exit status
  local function zonestat(args, env)
    runs = runs + 1
    local out, err = util.tmpfile("cli-" .. runs .. ".out"), util.tmpfile("cli-" .. runs .. ".err")
    local _, code = util.run(string.format("{ %s %s bin/zonestat %s > %s 2> %s; }", env or "", LUA, args, out, err))
    return util.read(out), util.read(err), code
  end

  -- the lines of stderr that are not the dataset's warnings and notes
  local function said(s)
    local t = {}
    for l in s:gmatch("[^\n]+") do
      if not l:match("^zonestat: [^:]*warning: ") and not l:match("^zonestat: cảnh báo: ") and
        not l:match("^zonestat: note: ") and not l:match("^zonestat: lưu ý: ") then
        t[#t + 1] = l .. "\n"
      end
    end
    return table.concat(t)
  end
  local function lines(s) return select(2, said(s):gsub("\n", "")) end

  local ds = assert(zs.dataset.load())
  local function model(locale)
    return assert(zs.report.build(ds, { provinces = { "hp" }, as_of = "2024-06-30", locale = locale }))
  end

  -- the numeric columns of two frames hold the same numbers
  local function same_numbers(a, b, what)
    assert.equals(a:nrow(), b:nrow(), what)
    local n = 0
    for j, name in ipairs(a:names()) do
      local t = a:types()[j]
      if (t == "int" or t == "float") and b:has(name) then
        for i = 1, a:nrow() do assert.equals(a:get(name, i), b:get(name, i), what .. ": " .. name .. " row " .. i) end
        n = n + 1
      end
    end
    return n
  end

  it("writes CSV as Excel in the locale opens it, on every command", function()
    for _, cmd in ipairs({ "profile --province hp --as-of 2024-06-30", "compare hp qn --as-of 2024-06-30",
      "agg data/vn/projects.csv --by origin --sum employees --count", "describe data/vn/zones.csv",
      "report --province hp --as-of 2024-06-30", "sniff data/vn/zones.csv" }) do
      local vi, err, code = zonestat("--format csv " .. cmd)
      assert.equals(0, code, err)
      assert.equals(BOM, vi:sub(1, 3), cmd)
      local header = vi:match("^[^\n]*")
      assert.is_truthy(header:find(";", 1, true), cmd .. ": " .. header)
      assert.is_nil(header:find(",", 1, true), cmd .. ": " .. header)
      local en, err2, code2 = zonestat("--locale en --format csv " .. cmd)
      assert.equals(0, code2, err2)
      assert.is_true(en:sub(1, 3) ~= BOM and en:match("^[^\n]*"):find(",", 1, true) ~= nil, cmd)
      local fvi, fen = assert(zs.parse_csv(vi, VI)), assert(zs.parse_csv(en))
      local fvi2 = assert(zs.parse_csv(vi, { locale = "vi" }))
      if not cmd:find("^sniff") then
        assert.is_true(same_numbers(fen, fvi, cmd) > 0, cmd .. ": no numbers")
        same_numbers(fen, fvi2, cmd)
      end
    end
  end)

  it("takes --out-sep, --out-decimal, --bom and --no-bom over the locale's conventions", function()
    local out, err, code = zonestat("--format csv --out-sep tab --out-decimal . --no-bom profile --province hp")
    assert.equals(0, code, err)
    assert.equals("entity\tname\t", out:sub(1, 12))
    assert.is_truthy(out:find("\t784.0\t", 1, true))
    out, err, code = zonestat("--locale en --format csv --bom --out-sep ';' --out-decimal , profile --province hp")
    assert.equals(0, code, err)
    assert.equals(BOM .. "entity;name;", out:sub(1, 15))
    assert.is_truthy(out:find(";784,0;", 1, true))
  end)

  it("puts every table of the report in one long CSV with a table column", function()
    local out, err, code = zonestat("report --province hp --as-of 2024-06-30 --format csv")
    assert.equals(0, code, err)
    assert.equals("", said(err))
    local f = assert(zs.parse_csv(out, VI))
    local ids = {}
    for row in f:distinct("table"):rows() do ids[#ids + 1] = row.table end
    local want = {}
    for i, e in ipairs(export.tables(model())) do want[i] = e.id end
    assert.same(want, ids)
    assert.is_true(#ids >= 10)
    same_numbers(export.long(model()), f, "long csv")
  end)

  it("writes a CSV file per table into --out-dir, and refuses a folder that is not empty", function()
    local dir = util.tmpdir() .. "/cli-out-dir"
    local out, err, code = zonestat("report --province hp --as-of 2024-06-30 --format csv --out-dir " .. dir)
    assert.equals(0, code, err)
    assert.equals("", out)
    assert.matches("đã ghi %d+ tệp vào", err)
    local t = export.tables(model())
    for _, e in ipairs(t) do
      local f = assert(zs.read_csv(dir .. "/" .. e.id .. ".csv", VI))
      assert.same(e.frame:names(), f:names())
      same_numbers(e.frame, f, e.id)
    end
    assert.is_not_nil(zs.path_info(dir .. "/sources.csv"))
    assert.is_not_nil(zs.path_info(dir .. "/notes.csv"))
    local before = zs.list_dir(dir)
    out, err, code = zonestat("report --province hp --format csv --out-dir " .. dir)
    assert.equals(1, code)
    assert.equals("", out)
    assert.equals("zonestat: " .. dir .. ": thư mục không rỗng: dùng --force để thay thế\n", said(err))
    assert.same(before, zs.list_dir(dir))
    out, err, code = zonestat("--locale en report --province hp --format csv --out-dir " .. dir)
    assert.equals(1, code)
    assert.equals("", out)
    assert.equals("zonestat: " .. dir .. ": the folder is not empty: use --force to replace it\n", said(err))
    out, err, code = zonestat("--locale en report --province hp --format csv --force --out-dir " .. dir)
    assert.equals("", out)
    assert.equals(0, code, err)
    local f = assert(zs.read_csv(dir .. "/parks_hp.csv"))
    assert.is_true(f:has("Zone"))
  end)

  it("writes every table as one JSON object, and in Markdown", function()
    local out, err, code = zonestat("report --province hp --as-of 2024-06-30 --format json")
    assert.equals(0, code, err)
    local t = cjson.decode(out)
    for _, e in ipairs(export.tables(model())) do
      assert.is_table(t[e.id], e.id)
      assert.equals(e.frame:nrow(), #t[e.id].rows, e.id)
    end
    assert.equals(784, t.headline_hp.rows[1]["Công bố"])
    out, err, code = zonestat("--locale en report --province hp --as-of 2024-06-30 --format md")
    assert.equals(0, code, err)
    for _, b in ipairs(model("en").blocks) do
      if b.kind == "table" then assert.is_truthy(out:find("# " .. b.title .. "\n", 1, true), b.title) end
    end
  end)

  it("writes the workbook with --xlsx, and the HTML page with it", function()
    local path, page = util.tmpfile("cli-hp.xlsx"), util.tmpfile("cli-hp.html")
    local out, err, code = zonestat("report --province hp --as-of 2024-06-30 --xlsx " .. path .. " --html " .. page)
    assert.equals(0, code, err)
    assert.is_truthy(out:find("| Số dự án | 784 dự án [1] |", 1, true))
    assert.matches("đã ghi .*cli%-hp%.xlsx", err)
    local sheets = assert(zs.xlsx_sheets(path)):column("name"):totable()
    local t = export.tables(model())
    for i, e in ipairs(t) do assert.equals(e.name, sheets[i]) end
    local parks = assert(zs.read_xlsx(path, { sheet = "Các khu — Hải Phòng" }))
    assert.equals("int", parks:types()[8])
    assert.equals(35, parks:get("Số dự án", 1))
    assert.is_truthy(util.read(page):find("<svg", 1, true))
  end)

  local chromium = export.chromium("en")
  local pdfinfo = util.run("command -v pdfinfo"):match("%S")
  local pdf = (chromium and pdfinfo) and it or pending
  pdf("prints the report with --pdf", function()
    local path = util.tmpfile("cli hp.pdf")
    local out, err, code = zonestat("--locale en report --province hp --pdf '" .. path .. "'")
    assert.equals(0, code, err)
    assert.is_truthy(out:find("Headline figures", 1, true))
    assert.matches("wrote .*cli hp%.pdf", err)
    local pages = tonumber(util.run("pdfinfo '" .. path .. "'"):match("Pages:%s+(%d+)"))
    assert.is_true(pages >= 2)
  end)

  it("without Chromium, --pdf says how to install it, exits non-zero and writes nothing", function()
    local path, book = util.tmpdir() .. "/nochromium.pdf", util.tmpdir() .. "/nochromium.xlsx"
    local args = "report --province hp --pdf " .. path .. " --xlsx " .. book
    local out, err, code = zonestat(args, "ZONESTAT_CHROMIUM=/nonexistent PATH=/nonexistent")
    assert.equals(1, code)
    assert.equals("", out)
    assert.equals(1, lines(err), err)
    assert.matches("^zonestat: %-%-pdf: ZONESTAT_CHROMIUM=/nonexistent: ", err)
    assert.matches("apt-get install chromium", err, 1, true)
    out, err, code = zonestat("--locale en " .. args, "env -u ZONESTAT_CHROMIUM PATH=/nonexistent")
    assert.equals(1, code)
    assert.equals("", out)
    assert.equals(1, lines(err), err)
    assert.matches("Chromium was not found to print the PDF", err, 1, true)
    assert.matches("(Debian: apt-get install chromium)", err, 1, true)
    assert.is_nil(zs.path_info(path))
    assert.is_nil(zs.path_info(book))
    -- a Chromium that fails leaves no file either
    out, err, code = zonestat("--locale en report --province hp --pdf " .. path, "ZONESTAT_CHROMIUM=/bin/false")
    assert.equals(1, code)
    assert.is_truthy(out:find("Headline figures", 1, true))
    assert.matches("Chromium could not print the PDF", err, 1, true)
    for _, name in ipairs(zs.list_dir(util.tmpdir())) do assert.is_nil(name:find("nochromium", 1, true), name) end
  end)

  it("says a user's mistake in one line with the fix, in Vietnamese or English", function()
    local cases = {
      { "report --province hp --out-dir x", "%-%-out%-dir: hãy thêm %-%-format csv" },
      { "--locale en report --province hp --out-dir x", "%-%-out%-dir: add %-%-format csv" },
      { "report --province hp --xlsx out.xls", "%-%-xlsx out%.xls: tên tệp phải có đuôi %.xlsx" },
      { "--locale en report --province hp --xlsx out.xls", "the file name must end in %.xlsx" },
      { "report --province hp --xlsx /no/such/dir/a.xlsx", "không có thư mục /no/such/dir" },
      { "--locale en report --province hp --pdf /no/such/dir/a.pdf", "there is no folder /no/such/dir" },
      { "report --province hp --out-sep ';'", "%-%-out%-sep: chỉ dùng với %-%-format csv" },
      { "--locale en agg data/vn/zones.csv --by kind --count --bom", "%-%-bom: only with %-%-format csv" },
      { "--locale en report --province hp --format csv --out-decimal ,", "add %-%-out%-sep ';'" },
      { "report --province hp --format csv --out-sep , --out-decimal ,", "hãy thêm %-%-out%-sep ';'" },
      { "report --province hp --force", "%-%-force: chỉ dùng với %-%-out%-dir" },
      { "--locale en report --province Atlantis --xlsx " .. util.tmpdir() .. "/atlantis.xlsx",
        "no province of the data has this name" },
    }
    for _, c in ipairs(cases) do
      local out, err, code = zonestat(c[1])
      assert.equals(1, code, c[1] .. ": " .. err)
      assert.equals("", out, c[1])
      assert.equals(1, lines(err), c[1] .. ": " .. err)
      assert.matches("^zonestat: ", said(err))
      assert.matches(c[2], said(err))
      assert.is_nil(err:find("internal", 1, true), err)
    end
    assert.is_nil(zs.path_info(util.tmpdir() .. "/atlantis.xlsx"))
    local _, err, code = zonestat("--format csv --bom --no-bom describe data/vn/zones.csv")
    assert.equals(2, code)
    assert.matches("%-%-no%-bom", err)
  end)

  it("lists the export options in the help, in both languages", function()
    local out, _, code = zonestat("report --help")
    assert.equals(0, code)
    for _, s in ipairs({ "--xlsx", "--pdf", "--out-dir", "--force", "sổ Excel", "khổ A4" }) do
      assert.is_truthy(out:find(s, 1, true), s)
    end
    out = zonestat("--locale en --help")
    for _, s in ipairs({ "--out-sep", "--out-decimal", "--bom", "--no-bom", "UTF-8 BOM" }) do
      assert.is_truthy(out:find(s, 1, true), s)
    end
  end)
end)

describe("zonestat with periods and currencies", function()
  local function zonestat(args)
    return util.run("lua5.4 bin/zonestat " .. args)
  end

  it("reports a period: in it, the same period a year earlier, the change, cumulative", function()
    local out, code = zonestat("--locale en report --province hp --period 2024-H1")
    assert.equals(0, code, out)
    assert.is_true(contains(out, "## Investment attracted, H1 2024 — Hải Phòng"), out)
    assert.is_true(contains(out, "| Indicator | H1 2024 | Same period, H1 2023 | Change | cumulative to 2024-06-30 |"),
      out)
    assert.is_true(contains(out, "Data as of 2024-06-30."))
    out = zonestat("report --province hp --period '6 tháng đầu năm 2024'")
    assert.is_true(contains(out, "## Thu hút đầu tư 6 tháng đầu năm 2024 — Hải Phòng"), out)
    assert.is_true(contains(out, "| Tổng vốn FDI thu hút |"))
    assert.is_true(contains(out, "Tỷ giá USD/VND: bình quân năm chính thức (World Bank WDI PA.NUS.FCRF)"))
  end)

  it("gives the flows of a period in csv with their span and dates", function()
    local out, code = zonestat("--locale en profile --province hp --period 2023 --format csv")
    assert.equals(0, code, out)
    local f = assert(zs.parse_csv((out:gsub("^.-\n(entity,)", "%1"))))
    local rows = f:filter(zs.col("indicator"):eq("fdi_projects_new"))
    assert.equals(4, rows:nrow())
    local spans = {}
    for row in rows:rows() do spans[row.span] = row end
    assert.equals("2023-01-01", spans.period.from)
    assert.equals("2022-12-31", spans.previous.to)
    assert.is_nil(spans.cumulative.from)
    assert.equals("ratio", spans.change.unit)
    assert.near(spans.period.value / spans.previous.value - 1, spans.change.value, 1e-12)
  end)

  it("refuses a bad period and a period after --as-of in one line", function()
    local out, code = zonestat("--locale en report --province hp --period 2024-Q5")
    assert.equals(1, code)
    assert.matches("zonestat: %-%-period: '2024%-Q5'", out)
    assert.is_nil(out:find("internal", 1, true))
    out, code = zonestat("--locale en profile --province hp --period 2024-H2 --as-of 2024-06-30")
    assert.equals(1, code)
    assert.matches("the period H2 2024 ends on 2024%-12%-31, after the as%-of date 2024%-06%-30", out)
  end)

  it("refuses to add capital in different currencies, naming the currency column", function()
    local out, code = zonestat("--locale en agg data/vn/projects.csv --sum capital")
    assert.equals(1, code)
    assert.matches("'capital' would add amounts in different currencies %(column 'currency' has USD, VND%): add " ..
      "%-%-by currency", out)
    out, code = zonestat("--locale en agg data/vn/projects.csv --by origin --mean capital")
    assert.equals(1, code, out)
    out, code = zonestat("--locale en agg data/vn/projects.csv --by currency --sum capital --format csv")
    assert.equals(0, code, out)
    assert.matches("currency,capital_sum\nUSD,", out)
    out, code = zonestat("--locale en agg data/vn/projects.csv --sum capital --allow-mixed-currency --format csv")
    assert.equals(0, code, out)
    out, code = zonestat("agg data/vn/projects.csv --sum employees --format csv")
    assert.equals(0, code, out)
  end)

  it("names the years without a rate in a warning", function()
    local out = zonestat("--locale en profile --province hp")
    assert.matches("zonestat: warning: no USD/VND rate for 2022: %d+ event%(s%) not converted %(projects syn%-hp%-", out)
    out = zonestat("profile --province hp")
    assert.matches("cảnh báo: không có tỷ giá USD/VND cho năm 2024", out)
  end)
end)
