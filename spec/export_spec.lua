-- Exports of a report: its tables as frames, xlsx, CSV (long, or a folder),
-- JSON and PDF (through headless Chromium, checked with poppler-utils).
local zs = require "zonestat"
local export = require "zonestat.export"
local cjson = require "cjson"
local util = require "spec_util"

local VI = { sep = ";", decimal = ",", thousands = "" }
local BOM = "\239\187\191"

local function has(cmd) return util.run("command -v " .. cmd):match("%S") ~= nil end

-- numbers equal to 15 digits (xlsx keeps 16), anything else exactly
local function same_value(x, y, where)
  if type(x) == "number" then
    assert.is_number(y, where)
    assert.is_true(math.abs(x - y) <= 1e-12 * math.max(1, math.abs(x)), where .. ": " .. x .. " ~= " .. tostring(y))
  else
    assert.equals(x, y, where)
  end
end

-- the same names, values and (unless `loose`: xlsx reads integral floats as
-- int) types; a column without a value reads back as str
local function same_frames(a, b, what, loose)
  assert.same(a:names(), b:names(), what)
  assert.equals(a:nrow(), b:nrow(), what)
  local ta, tb = a:types(), b:types()
  for j, name in ipairs(a:names()) do
    if a:column(name):count() > 0 and not (loose and ta[j] == "float" and tb[j] == "int") then
      assert.equals(ta[j], tb[j], what .. ": the type of " .. name)
    end
  end
  for _, name in ipairs(a:names()) do
    for i = 1, a:nrow() do same_value(a:get(name, i), b:get(name, i), what .. ": " .. name .. " row " .. i) end
  end
end

-- a report model made by hand: any blocks, as report.build makes them
local function model_of(blocks, locale)
  return { locale = locale or "vi", as_of = "2024-06-30", title = "Báo cáo thử", blocks = blocks, profiles = {},
    sources = { list = { { id = "s1", citation = "Báo Hải Phòng, 01/07/2024", url = "https://baohaiphong.vn/a" },
      { id = "s2", citation = "https://x.vn/b", url = "https://x.vn/b" }, { id = "s3", citation = "Sở KH&ĐT" } } },
    texts = { sources = locale == "en" and "Sources" or "Nguồn", url_missing = "-" } }
end

local function figure(value, unit, class, extra)
  local c = { text = tostring(value), value = value, unit = unit, class = class, mark = "GL" }
  for k, v in pairs(extra or {}) do c[k] = v end
  return c
end

local ds = assert(zs.dataset.load())
local hp = assert(zs.report.build(ds, { provinces = { "hp" }, as_of = "2024-06-30" }))
local hp_en = assert(zs.report.build(ds, { provinces = { "hp" }, as_of = "2024-06-30", locale = "en" }))

describe("export.tables", function()
  it("gives every table of the report, then the sources and the notes", function()
    local t = export.tables(hp)
    local blocks = {}
    for _, b in ipairs(hp.blocks) do if b.kind == "table" then blocks[#blocks + 1] = b end end
    assert.equals(#blocks + 2, #t)
    for i, b in ipairs(blocks) do
      assert.equals(b, t[i].block)
      assert.equals(b.title, t[i].title)
      assert.equals(#b.rows, t[i].frame:nrow())
    end
    assert.equals("sources", t[#t - 1].id)
    assert.equals("Nguồn", t[#t - 1].name)
    assert.equals("notes", t[#t].id)
    assert.equals("Ghi chú", t[#t].name)
    assert.equals(#hp.sources.list, t[#t - 1].frame:nrow())
    local en = export.tables(hp_en)
    assert.equals("Sources", en[#en - 1].name)
    assert.equals("Notes", en[#en].name)
    assert.equals("Headline figures — Hải Phòng", en[1].name)
    assert.equals("Số liệu chính — Hải Phòng", t[1].name)
  end)

  it("names sheets as Excel takes them and ids as files do", function()
    for _, m in ipairs({ hp, hp_en, assert(zs.report.build(ds, { provinces = { "hp", "qn" } })),
      assert(zs.report.build(ds, { zones = { "KCN Nhật Bản" }, locale = "en" })) }) do
      local names, ids = {}, {}
      for _, e in ipairs(export.tables(m)) do
        assert.is_true(utf8.len(e.name) >= 1 and utf8.len(e.name) <= 31, e.name)
        assert.is_nil(e.name:find("[%[%]:*?/\\]"), e.name)
        assert.is_nil(e.name:find("^'") or e.name:find("'$"), e.name)
        local key = zs.fold(e.name)
        assert.is_nil(names[key], "two sheets named " .. e.name)
        names[key] = true
        assert.matches("^[%w_%-]+$", e.id)
        assert.is_nil(ids[e.id:lower()], "two tables with the id " .. e.id)
        ids[e.id:lower()] = true
      end
    end
  end)

  it("keeps every number of the report's cells as a number, with its provenance", function()
    local t = export.tables(hp)
    local sources = t[#t - 1].frame
    local checked = 0
    for _, e in ipairs(t) do
      local b = e.block
      if b then
        for j, name in ipairs(b.columns) do
          if e.frame:has(name .. "_class") then
            local typ = e.frame:types()[j]
            assert.is_true(typ == "int" or typ == "float", name .. " is " .. typ)
            for i, r in ipairs(b.rows) do
              local c = r[j]
              local v = e.frame:get(name, i)
              if type(c) == "table" and c.value then
                assert.equals(c.value, v, e.id .. " " .. name .. " row " .. i)
                assert.equals(c.unit, e.frame:get(name .. "_unit", i))
                assert.equals(c.class, e.frame:get(name .. "_class", i))
                assert.equals(c.qualifier, e.frame:get(name .. "_qualifier", i))
                assert.equals(c.source, e.frame:get(name .. "_source", i))
                if c.source then assert.is_string(sources:get("citation", c.source)) end
                checked = checked + 1
              else
                assert.is_nil(v)
                assert.equals("na", e.frame:get(name .. "_class", i))
              end
            end
          end
        end
      end
    end
    assert.is_true(checked > 300, "checked " .. checked)
  end)

  it("puts the report's columns first, then each figure column's five companions", function()
    local parks = export.tables(hp)[3]
    assert.equals("parks_hp", parks.id)
    local names = parks.frame:names()
    local cols = parks.block.columns
    for j, c in ipairs(cols) do assert.equals(c, names[j]) end
    assert.equals("Diện tích_unit", names[#cols + 1])
    assert.same({ "Diện tích_unit", "Diện tích_class", "Diện tích_qualifier", "Diện tích_source", "Diện tích_note" },
      { table.unpack(names, #cols + 1, #cols + 5) })
    local f = parks.frame:filter(zs.col("Khu"):eq("KCN An Dương"))
    assert.equals(196.1, f:get("Diện tích", 1))
    assert.equals("ha", f:get("Diện tích_unit", 1))
    assert.equals("published", f:get("Diện tích_class", 1))
    assert.equals("synthetic", f:get("Đất công nghiệp_class", 1))
    assert.equals("int", parks.frame:types()[8]) -- Số dự án
    assert.equals("0.0%", parks.formats["Tỷ lệ lấp đầy"])
    assert.equals("#,##0", parks.formats["Vốn FDI"])
    local headline = export.tables(hp)[1].frame
    assert.equals("date", headline:types()[3])
    assert.equals("2024-06-30", headline:get("Ngày công bố", 1))
    -- "–" with its reason: NA, class na, the reason in the note
    local growth = headline:filter(zs.col("Chỉ tiêu"):eq("Bội số tăng trưởng"))
    assert.is_nil(growth:get("Tính lại", 1))
    assert.equals("na", growth:get("Tính lại_class", 1))
    assert.equals("không tính lại được từ danh sách dự án", growth:get("Tính lại_note", 1))
    assert.equals("nearly", headline:get("Công bố_qualifier", 2))
  end)

  it("says in the notes what is synthetic and how the columns read", function()
    local notes = export.tables(hp)[#export.tables(hp)].frame
    local kinds = {}
    for row in notes:rows() do kinds[row.kind] = (kinds[row.kind] or "") .. row.text .. "\n" end
    assert.matches("giả lập", kinds.synthetic)
    assert.matches("synthetic", kinds.synthetic)
    assert.matches("X_class", kinds.columns)
    assert.equals("2024-06-30\n", kinds.as_of)
    assert.matches("GIẢ LẬP", kinds.note)
    assert.matches("GL: có dữ liệu giả lập", kinds.legend)
    assert.matches("Các khu — Hải Phòng", kinds.table)
    local parks = notes:filter(zs.col("table"):eq("parks_hp") & zs.col("kind"):eq("synthetic"))
    assert.matches("^%d+ ô số liệu giả lập", parks:get("text", 1))
    assert.equals("Các khu — Hải Phòng", parks:get("sheet", 1))
    -- a report without synthetic figures says nothing of the kind
    local clean = export.tables(model_of({ { kind = "table", title = "A", columns = { "x", "v" },
      rows = { { "a", figure(1, "count", "published") } } } }))
    for row in clean[#clean].frame:rows() do assert.is_true(row.kind ~= "synthetic", row.text) end
    local en = export.tables(hp_en)
    assert.matches("synthetic data", en[#en].frame:filter(zs.col("kind"):eq("synthetic")):get("text", 1))
  end)

  it("is generic over blocks: text, dates, numbers, duplicate and long names", function()
    local long = "Bảng [1]: một tiêu đề rất dài có dấu / và * và ? — Tỉnh Bà Rịa – Vũng Tàu"
    local blocks = {}
    for k = 1, 3 do
      blocks[#blocks + 1] = { kind = "table", id = k < 3 and "kỳ_báo_cáo" or nil, title = long,
        columns = { "Kỳ", "Kỳ", "Ngày", "Giá trị", "Ghi chú" },
        rows = {
          { "2023", "Q1", "31/12/2023", figure(1.5, "ratio", "synthetic", { note = "3/4 KCN" }), "–" },
          { { text = "2024" }, "Q2", "–", figure(2, "ratio", "published", { source = 2, qualifier = "about" }),
            { text = "x", note = "n" } },
          { "2025", nil, "30/06/2024", { text = "–", class = "na", note = "thiếu số liệu" }, "y" },
        } }
    end
    blocks[#blocks + 1] = { kind = "chart", title = "C", svg = "<svg/>" }
    blocks[#blocks + 1] = { kind = "items", title = "Tăng trưởng", items = { { text = "gấp 2 lần [1]" } } }
    local t = export.tables(model_of(blocks))
    assert.equals(5, #t)
    local names = {}
    for k = 1, 3 do
      names[k] = t[k].name
      assert.is_true(utf8.len(t[k].name) <= 31, t[k].name)
      assert.is_nil(t[k].name:find("[%[%]:*?/\\]"), t[k].name)
    end
    assert.equals("Bảng 1 — Tỉnh Bà Rịa – Vũng Tàu", names[1])
    assert.is_true(names[2] ~= names[1] and names[3] ~= names[2] and names[3] ~= names[1])
    assert.matches("^[%w_]+$", t[1].id)
    assert.is_true(t[1].id ~= t[2].id and t[2].id ~= t[3].id)
    local f = t[1].frame
    assert.same({ "Kỳ", "Kỳ (2)", "Ngày", "Giá trị", "Ghi chú", "Giá trị_unit", "Giá trị_class", "Giá trị_qualifier",
      "Giá trị_source", "Giá trị_note", "Ghi chú_note" }, f:names())
    assert.same({ "str", "str", "date", "float", "str", "str", "str", "str", "int", "str", "str" }, f:types())
    assert.equals("2023", f:get("Kỳ", 1))
    assert.equals("2024", f:get("Kỳ", 2))
    assert.is_nil(f:get("Kỳ (2)", 3))
    assert.equals("2023-12-31", f:get("Ngày", 1))
    assert.is_nil(f:get("Ngày", 2))
    assert.same({ 1.5, 2.0 }, { f:get("Giá trị", 1), f:get("Giá trị", 2) })
    assert.is_nil(f:get("Giá trị", 3))
    assert.same({ "synthetic", "published", "na" }, f:column("Giá trị_class"):totable())
    assert.equals(2, f:get("Giá trị_source", 2))
    assert.equals("about", f:get("Giá trị_qualifier", 2))
    assert.equals("3/4 KCN", f:get("Giá trị_note", 1))
    assert.equals("thiếu số liệu", f:get("Giá trị_note", 3))
    assert.is_nil(f:get("Ghi chú", 1))
    assert.equals("n", f:get("Ghi chú_note", 2))
    local notes = t[5].frame
    assert.equals("item", notes:filter(zs.col("kind"):eq("item")):get("kind", 1))
    assert.matches("gấp 2 lần", notes:filter(zs.col("kind"):eq("item")):get("text", 1))
    assert.equals(1, notes:filter(zs.col("kind"):eq("chart")):nrow())
    assert.same({ 1, 2, 3 }, t[4].frame:column("n"):totable())
    assert.is_nil(t[4].frame:get("url", 3))
  end)

  it("refuses what is not a report model", function()
    local ok, err = pcall(export.tables, {})
    assert.is_false(ok)
    assert.matches("export.tables: expected a report model (zs.report.build())", err, 1, true)
    assert.has_error(function() export.xlsx(ds, "x.xlsx") end)
    assert.has_error(function() export.csv_dir(hp, 1) end)
  end)
end)

describe("export.xlsx", function()
  it("writes a sheet per table, numbers as numbers, with the sources and the notes", function()
    local path = util.tmpfile("hp.xlsx")
    assert.is_true(export.xlsx(hp, path))
    local sheets = assert(zs.xlsx_sheets(path))
    local t = export.tables(hp)
    assert.equals(#t, sheets:nrow())
    for i, e in ipairs(t) do
      assert.equals(e.name, sheets:get("name", i))
      local f = assert(zs.read_xlsx(path, { sheet = e.name }))
      same_frames(e.frame, f, e.name, true)
    end
    local notes = assert(zs.read_xlsx(path, { sheet = "Ghi chú" }))
    local synthetic = notes:filter(zs.col("kind"):eq("synthetic"))
    assert.is_true(synthetic:nrow() >= 2)
    assert.matches("giả lập", synthetic:get("text", 1))
    local sources = assert(zs.read_xlsx(path, { sheet = "Nguồn" }))
    assert.same({ "n", "citation", "url", "id" }, sources:names())
    assert.equals(#hp.sources.list, sources:nrow())
    local en = util.tmpfile("hp-en.xlsx")
    assert.is_true(export.xlsx(hp_en, en))
    local names = assert(zs.xlsx_sheets(en)):column("name"):totable()
    assert.equals("Sources", names[#names - 1])
    assert.equals("Notes", names[#names])
  end)

  local unzip = has("unzip") and it or pending
  unzip("formats numbers: thousands grouped, ratios as percentages, dates as dates", function()
    local path = util.tmpfile("hp-formats.xlsx")
    assert.is_true(export.xlsx(hp, path))
    local styles = util.run("unzip -p " .. path .. " xl/styles.xml")
    assert.matches('formatCode="#,##0"', styles, 1, true)
    assert.matches('formatCode="0.0%"', styles, 1, true)
    assert.matches('formatCode="dd/mm/yyyy"', styles, 1, true)
  end)

  it("writes atomically: a refused workbook leaves the old file as it was", function()
    local path = util.tmpfile("atomic.xlsx", "old content")
    local m = model_of({ { kind = "table", title = "A", columns = { "x" }, rows = { { string.rep("a", 40000) } } } })
    local ok, err = export.xlsx(m, path)
    assert.is_nil(ok)
    assert.matches("atomic.xlsx", err, 1, true)
    assert.equals("old content", util.read(path))
    for _, name in ipairs(zs.list_dir(util.tmpdir())) do assert.is_nil(name:find("atomic.xlsx.", 1, true), name) end
    local missing = util.tmpdir() .. "/no/such/folder/x.xlsx"
    assert.is_nil(export.xlsx(hp, missing))
    assert.is_nil(zs.path_info(missing))
  end)
end)

describe("export.csv", function()
  it("writes one long table in the locale's conventions that reads back to the same numbers", function()
    local text = export.csv(hp)
    assert.equals(BOM, text:sub(1, 3))
    assert.equals("table;row;column;text;value;unit;class;qualifier;source;mark;note\n", text:sub(4, 69))
    local long = export.long(hp)
    for _, opts in ipairs({ VI, { locale = "vi" } }) do
      local f = assert(zs.parse_csv(text, opts))
      same_frames(long, f, "vi long csv")
    end
    local en = export.csv(hp, { locale = "en" })
    assert.equals("table,row,column,text,value", en:sub(1, 27))
    same_frames(long, assert(zs.parse_csv(en)), "en long csv")
    -- a table column naming every table
    local f = assert(zs.parse_csv(text, VI))
    local ids = {}
    for row in f:distinct("table"):rows() do ids[#ids + 1] = row.table end
    local want = {}
    for i, e in ipairs(export.tables(hp)) do want[i] = e.id end
    assert.same(want, ids)
    local cell = f:filter(zs.col("table"):eq("headline_hp") & zs.col("row"):eq(2) & zs.col("column"):eq("Công bố"))
    assert.equals(38300000000, cell:get("value", 1))
    assert.equals("gần 38,3 tỷ USD", cell:get("text", 1))
    assert.equals("nearly", cell:get("qualifier", 1))
    assert.equals(1, cell:get("source", 1))
    assert.equals("[1]", cell:get("mark", 1))
  end)

  it("takes write_csv's options over the locale's", function()
    local text = export.csv(hp, { sep = "\t", bom = false })
    assert.equals("table\trow\t", text:sub(1, 10))
    same_frames(export.long(hp), assert(zs.parse_csv(text, { sep = "\t", decimal = "," })), "tab csv")
    assert.same({ sep = ",", decimal = ".", bom = false }, export.csv_options("en"))
    assert.same({ sep = ";", decimal = ",", bom = false }, export.csv_options("vi", { bom = false }))
  end)
end)

describe("export.csv_dir", function()
  it("writes a file per table, the sources and the notes, each reading back", function()
    local dir = util.tmpdir() .. "/hp-csv"
    local ok, files = export.csv_dir(hp, dir)
    assert.is_true(ok, files)
    local t = export.tables(hp)
    assert.equals(#t, #files)
    local listed = zs.list_dir(dir)
    assert.equals(#t, #listed)
    for i, e in ipairs(t) do
      assert.equals(e.id .. ".csv", files[i])
      local text = util.read(dir .. "/" .. files[i])
      assert.equals(BOM, text:sub(1, 3))
      same_frames(e.frame, assert(zs.read_csv(dir .. "/" .. files[i], VI)), files[i])
      same_frames(e.frame, assert(zs.read_csv(dir .. "/" .. files[i], { locale = "vi" })), files[i])
    end
    assert.is_true(files[#files - 1] == "sources.csv" and files[#files] == "notes.csv")
  end)

  it("refuses a folder that is not empty unless forced", function()
    local dir = util.tmpdir() .. "/hp-csv-full"
    assert(zs.make_dir(dir))
    util.tmpfile("hp-csv-full/mine.txt", "keep me")
    local ok, err, code = export.csv_dir(hp_en, dir)
    assert.is_nil(ok)
    assert.equals(dir .. ": the folder is not empty (force replaces it)", err)
    assert.equals("not_empty", code)
    assert.same({ "mine.txt" }, zs.list_dir(dir))
    assert.is_true((export.csv_dir(hp_en, dir, { force = true })))
    assert.is_nil(zs.path_info(dir .. "/mine.txt"))
    local f = assert(zs.read_csv(dir .. "/parks_hp.csv"))
    assert.equals("The zones — Hải Phòng", export.tables(hp_en)[3].name)
    assert.equals(196.1, f:filter(zs.col("Zone"):eq("KCN An Dương")):get("Area", 1))
    for _, name in ipairs(zs.list_dir(util.tmpdir())) do
      assert.is_nil(name:find("hp-csv-full.", 1, true), "left behind: " .. name)
    end
  end)
end)

describe("export.json", function()
  it("is one object with every table, numbers as numbers", function()
    local t = cjson.decode(export.json(hp))
    local tables = export.tables(hp)
    local n = 0
    for _ in pairs(t) do n = n + 1 end
    assert.equals(#tables, n)
    for _, e in ipairs(tables) do
      local j = t[e.id]
      assert.is_table(j, e.id)
      assert.equals(e.name, j.name)
      assert.equals(e.title, j.title)
      assert.same(e.frame:names(), j.columns)
      assert.equals(e.frame:nrow(), #j.rows)
    end
    local an_duong
    for _, r in ipairs(t.parks_hp.rows) do if r["Khu"] == "KCN An Dương" then an_duong = r end end
    assert.equals(196.1, an_duong["Diện tích"])
    assert.equals("published", an_duong["Diện tích_class"])
    assert.equals(cjson.null, t.parks_hp.rows[2]["Diện tích"])
    assert.equals("2024-06-30", t.headline_hp.rows[1]["Ngày công bố"])
    assert.equals(1, t.sources.rows[1].n)
    -- the keys in the report's order
    local text = export.json(hp)
    assert.is_true(text:find('"headline_hp"', 1, true) < text:find('"parks_hp"', 1, true))
    assert.is_true(text:find('"parks_hp"', 1, true) < text:find('"sources"', 1, true))
  end)
end)

describe("export.pdf", function()
  local tools = has("pdftoppm") and has("pdfinfo") and has("pdftotext")
  local chromium = export.chromium("en")
  local render = (chromium and tools) and it or pending
  if not (chromium and tools) then
    print("\nexport_spec: Chromium or poppler-utils is missing; the PDF rendering checks are pending")
  end

  it("has a print stylesheet: A4, page breaks between sections, headers repeated, nothing split", function()
    local html = zs.report.html(hp)
    for _, s in ipairs({ "@page{size:A4;", "@media print", "thead{display:table-header-group}",
      "section.part+section.part{break-before:page}", "tr,td,th,figure,svg,li,.note{break-inside:avoid}",
      "print-color-adjust:exact", "@page wide{size:A4 landscape;" }) do
      assert.is_truthy(html:find(s, 1, true), s)
    end
    -- the title is not a section of its own: the first section follows it on its page
    assert.matches("<h1>[^<]*</h1>\n<p", html)
    local parts = select(2, html:gsub('<section class="part', ""))
    local expected = 1 -- the sources
    for _, b in ipairs(hp.blocks) do
      if b.kind == "heading" or b.kind == "items" or b.kind == "chart" or (b.kind == "table" and (b.level or 2) <= 2) then
        expected = expected + 1
      end
    end
    assert.equals(expected, parts)
    assert.matches('<section class="part wide%-part">\n<section class="block" id="parks_hp">', html)
  end)

  render("prints the report to a PDF of several non-blank pages, wide tables on landscape pages", function()
    local path = util.tmpfile("hp.pdf")
    local ok, err = export.pdf(hp, path)
    assert.is_true(ok, err)
    local info = util.run("pdfinfo -f 1 -l 100 " .. path)
    local pages = tonumber(info:match("Pages:%s+(%d+)"))
    assert.is_true(pages >= 2, info)
    assert.matches("Page%s+1 size:%s+59%d%.%d+ x 84%d%.%d+ pts %(A4%)", info) -- portrait
    assert.matches("Page%s+%d+ size:%s+84%d%.%d+ x 59%d%.%d+ pts %(A4%)", info) -- the zones on landscape
    -- the title and the first section on the first page
    local first = util.run("pdftotext -f 1 -l 1 " .. path .. " -")
    assert.matches("Báo cáo khu kinh tế, khu công nghiệp: Hải Phòng", first, 1, true)
    assert.matches("Số liệu chính", first, 1, true)
    -- every page has ink: rendered at 50 dpi (as PNG for a person, gray PGM to count pixels)
    local base = util.tmpdir() .. "/hp-page"
    util.run("pdftoppm -r 50 -png " .. path .. " " .. base)
    assert.is_not_nil(zs.path_info(base .. "-01.png") or zs.path_info(base .. "-1.png"))
    util.run("pdftoppm -r 50 -gray " .. path .. " " .. base)
    local seen = 0
    for _, name in ipairs(zs.list_dir(util.tmpdir())) do
      if name:match("^hp%-page%-%d+%.pgm$") then
        seen = seen + 1
        local data = util.read(util.tmpdir() .. "/" .. name)
        local w, h, header = data:match("^P5%s+(%d+)%s+(%d+)%s+255%s()")
        assert.is_not_nil(w, name)
        local pixels = data:sub(header)
        assert.equals(w * h, #pixels)
        assert.is_truthy(pixels:find("[^\255]"), name .. " is blank")
      end
    end
    assert.equals(pages, seen)
  end)

  it("says how to install Chromium when there is none, and writes nothing", function()
    local path = util.tmpdir() .. "/none.pdf"
    local ok, err = export.pdf(hp, path, { chromium = util.tmpdir() .. "/no-chromium", locale = "en" })
    assert.is_nil(ok)
    assert.matches("Chromium could not print the PDF", err)
    ok, err = export.pdf(hp, path, { chromium = "/bin/false", locale = "vi" })
    assert.is_nil(ok)
    assert.matches("Chromium không in được PDF", err)
    assert.is_nil(zs.path_info(path))
    for _, name in ipairs(zs.list_dir(util.tmpdir())) do assert.is_nil(name:find("none.pdf", 1, true), name) end
  end)
end)
