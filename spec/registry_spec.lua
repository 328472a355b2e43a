-- Real registries in: CSV as Excel in vi-VN writes it, sniffing, a board's
-- own headers and values through a mapping, every province of Vietnam.
local zs = require "zonestat"
local util = require "spec_util"

local VI_DIR = "spec/fixtures/registry_vi"
local VI_FILE = VI_DIR .. "/Dự án.csv"

local function has(list, pattern)
  for _, s in ipairs(list) do
    if s:find(pattern, 1, true) then return true end
  end
  return false
end

local function write(name, bytes) return util.tmpfile(name, bytes) end

-- entries of the spec's temporary folder whose names start with `prefix`
local function leftovers(prefix)
  local found = {}
  for _, name in ipairs(zs.list_dir(util.tmpdir())) do
    if name:sub(1, #prefix) == prefix then found[#found + 1] = name end
  end
  return found
end

describe("CSV number and date conventions", function()
  it("reads thousands marks, decimal commas and dd/mm/yyyy dates", function()
    local f = assert(zs.parse_csv("a;b;d\n1.250;3,5;15/03/2023\n12.345.678;0,25;1/2/2024\n",
      { sep = ";", decimal = ",", thousands = ".", date_format = "%d/%m/%Y" }))
    assert.same({ "int", "float", "date" }, f:types())
    assert.equals(1250, f:get("a", 1))
    assert.equals(12345678, f:get("a", 2))
    assert.equals(3.5, f:get("b", 1))
    assert.equals("2023-03-15", f:get("d", 1))
    assert.equals("2024-02-01", f:get("d", 2))
  end)

  it("never reads 1.250 as 1.25 under thousands marks, and names the place of a value it cannot read", function()
    local f = assert(zs.parse_csv("a;b\n1.25;x\n", { sep = ";", decimal = ",", thousands = "." }))
    assert.equals("str", f:types()[1]) -- 1.25 is no number when '.' groups thousands
    local g, err = zs.parse_csv("a;b\n1.250;x\n1.25;y\n", { sep = ";", decimal = ",", types = { a = "int" } })
    assert.is_nil(g)
    assert.equals("<string>:3:1: cannot read '1.25' as int", err)
  end)

  it("reads the other date formats, and ISO dates under any of them", function()
    local f = assert(zs.parse_csv("d,e\n15-03-2023,2023-03-15\n", { date_format = "%d-%m-%Y" }))
    assert.same({ "date", "date" }, f:types())
    assert.equals("2023-03-15", f:get("d", 1))
    f = assert(zs.parse_csv("d\n03/15/2023\n", { date_format = "%m/%d/%Y" }))
    assert.equals("2023-03-15", f:get("d", 1))
    local g, err = zs.parse_csv("d\n31/02/2023\n", { date_format = "%d/%m/%Y", types = { d = "date" } })
    assert.is_nil(g)
    assert.equals("<string>:2:1: cannot read '31/02/2023' as date", err)
  end)

  it("raises on conventions that contradict each other", function()
    assert.has_error(function() zs.parse_csv("a\n1\n", { thousands = ";" }) end,
      "parse_csv: option 'thousands' must be \".\", \",\" or \"\" (none)")
    assert.has_error(function() zs.parse_csv("a\n1\n", { sep = ";", decimal = ",", thousands = "," }) end)
    assert.has_error(function() zs.parse_csv("a\n1\n", { thousands = "," }) end)
    assert.has_error(function() zs.parse_csv("a\n1\n", { date_format = "%d.%m.%Y" }) end)
  end)
end)

describe("sniff_csv", function()
  it("finds the conventions of a registry saved by Excel in vi-VN", function()
    local s = assert(zs.sniff_csv(VI_FILE))
    assert.equals(";", s.sep)
    assert.equals(",", s.decimal)
    assert.equals(".", s.thousands)
    assert.equals("%d/%m/%Y", s.date_format)
    assert.equals("utf-8", s.encoding)
    assert.is_true(s.bom)
    assert.is_true(s.header)
    assert.equals("\r\n", s.eol)
    assert.equals("int", s.types["Lao động"])
    assert.equals("date", s.types["Ngày cấp GCN"])
    assert.equals("float", s.types["Vốn đăng ký (triệu USD)"])
  end)

  it("gives options read_csv takes straight back", function()
    local s = assert(zs.sniff_csv(VI_FILE))
    local a = assert(zs.read_csv(VI_FILE, s))
    local b, info = assert(zs.read_csv(VI_FILE, { sniff = true }))
    util.assert_frames_equal(a, b)
    assert.equals(1250, a:get("Lao động", 1))
    assert.equals(1083.3, a:get("Vốn đăng ký (tỷ đồng)", 3))
    assert.equals(";", info.sep)
    assert.equals("int", info.types["Lao động"])
  end)

  it("reads plain comma files with the defaults and says nothing was assumed", function()
    local s = assert(zs.sniff_csv("data/vn/zones.csv"))
    assert.equals(",", s.sep)
    assert.equals(".", s.decimal)
    assert.equals("%Y-%m-%d", s.date_format)
    assert.is_false(s.bom)
    assert.equals("\n", s.eol)
  end)

  it("says what it assumed when numbers or dates leave it open", function()
    local s = assert(zs.sniff_csv(write("amb_semi.csv", "a;b;d\nx;1.250;03/04/2023\ny;2.500;05/06/2023\n")))
    assert.equals(",", s.decimal)
    assert.equals(".", s.thousands)
    assert.is_true(has(s.assumed, "so 1.250 is 1250"))
    assert.is_true(has(s.assumed, "day first"))
    local c = assert(zs.sniff_csv(write("amb_comma.csv", "a,b\nx,1.250\ny,2.500\n")))
    assert.equals(".", c.decimal)
    assert.is_true(has(c.assumed, "so 1.250 is 1.25"))
    local m = assert(zs.sniff_csv(write("mdy.csv", "d,v\n03/15/2023,1\n")))
    assert.equals("%m/%d/%Y", m.date_format)
  end)

  it("tells a header from data, and tabs in UTF-16 (Excel's Unicode text)", function()
    local h = assert(zs.sniff_csv(write("nohead.csv", "1,2.5,x\n3,4.5,y\n")))
    assert.is_false(h.header)
    local utf16 = "\255\254" .. ("Tên\tVốn\nA\t1,5\nB\t2,5\n"):gsub("[%z\1-\127\194-\244][\128-\191]*", function(ch)
      local cp = utf8.codepoint(ch)
      return string.char(cp % 256, cp // 256)
    end)
    local s = assert(zs.sniff_csv(write("u16.txt", utf16)))
    assert.equals("\t", s.sep)
    assert.equals("UTF-16LE", s.encoding)
    assert.equals(",", s.decimal)
    local f = assert(zs.read_csv(util.tmpdir() .. "/u16.txt", { sniff = true }))
    assert.equals("Tên", f:names()[1])
    assert.equals(2.5, f:get("Vốn", 2))
  end)

  it("guesses cp1258 for bytes that are not UTF-8, and reads them as NFC text", function()
    local utf8_text = "Tên;Vốn\nĐình Vũ;1.250\nHải Phòng;3,5\n"
    local path = util.tmpfile("cp1258.csv")
    local utf8_path = util.tmpfile("cp1258_src.csv", utf8_text)
    local _, code = util.run("iconv -f UTF-8 -t CP1258 " .. utf8_path .. " > " .. path)
    assert.equals(0, code)
    local s = assert(zs.sniff_csv(path))
    assert.equals("cp1258", s.encoding)
    assert.is_true(has(s.assumed, "cp1258"))
    local f = assert(zs.read_csv(path, { locale = "vi" }))
    assert.equals("Đình Vũ", f:get("Tên", 1))
    assert.equals(zs.nfc("Hải Phòng"), f:get("Tên", 2))
    assert.equals(1250, f:get("Vốn", 1))
  end)

  it("hints at the separator when a file is read with the wrong one", function()
    local f, err = zs.read_csv(VI_FILE)
    assert.is_nil(f)
    assert.matches("expected 1 fields, found 2 %(the file seems to use ';' between fields: sep = \";\"%)", err)
  end)

  it("returns nil and a message for what it cannot sniff", function()
    local s, err = zs.sniff_csv(util.tmpdir() .. "/none.csv")
    assert.is_nil(s)
    assert.matches("No such file", err)
    s, err = zs.sniff_csv(write("empty.csv", ""))
    assert.is_nil(s)
    assert.matches("no records to sniff", err)
  end)
end)

describe("a mapping", function()
  local mapping = require "zonestat.mapping"

  it("reads headers with units in any form and values without diacritics", function()
    local m = assert(mapping.load())
    local col, unit = m:column_for("projects", "Vốn đăng ký (triệu USD)")
    assert.equals("capital", col)
    assert.same({ dimension = "USD", power = 6 }, unit)
    col, unit = m:column_for("projects", "VON DANG KY / ty dong")
    assert.equals("capital", col)
    assert.same({ dimension = "VND", power = 9 }, unit)
    col, unit = m:column_for("projects", "Diện tích, m2")
    assert.equals("land_ha", col)
    assert.same({ dimension = "ha", power = -4 }, unit)
    local _, _, unknown = m:column_for("projects", "Vốn đăng ký (triệu Yên)")
    assert.equals("triệu Yên", unknown)
    assert.equals("operating", m:value_for("projects.status", "dang hoat dong"))
    assert.equals("operating", m:value_for("projects.status", "ĐANG HOẠT ĐỘNG"))
    assert.equals("operating", m:value_for("projects.status", "\u{110}ang ho\u{61}\u{323}\u{306}t \u{111}o\u{323}\u{302}ng"))
    assert.equals("domestic", m:value_for("projects.origin", "Trong nước"))
    assert.equals("projects", m:table_for("Dự án.csv"))
  end)

  it("takes a board's entries from a table, a JSON file or a CSV file, over the built-in ones", function()
    local m = assert(mapping.load({ columns = { projects = { ["Vốn ĐK"] = "capital" } },
      values = { ["projects.status"] = { ["Hoạt động"] = "licensed" } }, units = { ["triệu Yên"] = "USD*1e6" } }))
    assert.equals("capital", m:column_for("projects", "Vốn ĐK"))
    assert.equals("licensed", m:value_for("projects.status", "hoat dong"))
    local json = write("m.json", '{"tables": {"DS dự án": "projects"}, "columns": {"zones": {"Tên khu CN": "name"}}}')
    m = assert(mapping.load(json))
    assert.equals("projects", m:table_for("DS dự án"))
    assert.equals("name", m:column_for("zones", "Tên khu CN"))
    local csv = write("m.csv", "kind,from,to\ncolumn,Mã DA,projects.id\nvalue,Hoạt động SX,projects.status=operating\n")
    m = assert(mapping.load(csv))
    assert.equals("id", m:column_for("projects", "Mã DA"))
    assert.equals("operating", m:value_for("projects.status", "Hoạt động SX"))
  end)

  it("refuses hostile or wrong mappings, naming each line", function()
    local csv = write("bad.csv", "kind,from,to\ncolum,A,projects.id\ntable,B,projectz\nunit,C,EUR*1e6\n" ..
      "value,D,projects.status\ncolumn,E,projects.nonsense\nunit,F,USD*3\n")
    local m, problems = mapping.load(csv)
    assert.is_nil(m)
    assert.equals(6, #problems)
    assert.matches("bad.csv:2: unknown kind 'colum'", problems[1])
    assert.matches("bad.csv:3: unknown table 'projectz'", problems[2])
    assert.matches("bad.csv:4: 'EUR%*1e6' must be USD, VND, ha or count", problems[3])
    assert.matches("bad.csv:5: 'projects.status' must be table.column=value", problems[4])
    assert.matches("bad.csv:6: table projects has no column 'nonsense'", problems[5])
    assert.matches("bad.csv:7:", problems[6])
    local _, p2 = mapping.load(write("bad.json", "[1, 2]"))
    assert.matches("unknown part '1'", p2[1])
    local _, p3 = mapping.load(write("bad2.json", "{\"tables\": {\"X\": 5}, \"os\": \"rm -rf /\"}"))
    assert.is_true(has(p3, "unknown part 'os'"))
    assert.is_true(has(p3, "the target of 'X' must be text"))
    local _, p4 = mapping.load(write("bad3.json", "{not json"))
    assert.matches("bad3.json: ", p4[1])
    local _, p5 = mapping.load({ columns = { projects = { x = {} } } })
    assert.matches("columns.projects", p5[1])
    assert.has_error(function() mapping.load(42) end)
  end)
end)

describe("dataset.load of a board's registry", function()
  it("reads the projects Excel vi-VN wrote, in its own headers, with zones made from them", function()
    local ds = assert(zs.dataset.load(VI_DIR))
    local p = ds.projects
    assert.equals(4, p:nrow())
    assert.equals(12500000, p:get("capital", 1))          -- 12,5 triệu USD, exactly
    assert.equals("USD", p:get("currency", 1))
    assert.equals(350750000000, p:get("capital", 2))      -- 350,75 tỷ đồng
    assert.equals("VND", p:get("currency", 2))
    assert.equals(1083300000000, p:get("capital", 3))     -- 1.083,30 tỷ đồng
    assert.equals(1250, p:get("employees", 1))            -- 1.250 people, never 1.25
    assert.equals("2023-03-15", p:get("license_date", 1))
    assert.equals("operating", p:get("status", 1))
    assert.equals("construction", p:get("status", 2))
    assert.equals("yes", p:get("industrial_production", 4)) -- "có" in lower case
    assert.equals("FDI", p:get("origin", 1))               -- Nhật Bản
    assert.equals("domestic", p:get("origin", 2))          -- Việt Nam
    assert.equals("qn", p:get("province_id", 1))
    local z = ds.zones
    assert.equals(3, z:nrow())
    assert.equals("KKT", z:get("kind", z:column("name"):totable()[2] == "Khu kinh tế Dung Quất" and 2 or 1))
    assert.is_nil(z:get("natural_area_ha", 1))
    assert.is_true(has(ds.notes, "zones made from the projects' zone names"))
    assert.is_true(has(ds.notes, "origin derived from the country"))
  end)

  it("loads a single CSV file as the projects table", function()
    local ds = assert(zs.dataset.load(VI_FILE))
    assert.equals(4, ds.projects:nrow())
  end)

  local function vi_registry(name, edit, extra)
    local dir = util.tmpdir() .. "/" .. name
    util.run("rm -rf '" .. dir .. "' && mkdir -p '" .. dir .. "'")
    local text = util.read(VI_FILE)
    if edit then text = edit(text) end
    local fh = assert(io.open(dir .. "/Dự án.csv", "wb"))
    fh:write(text)
    fh:close()
    for file, content in pairs(extra or {}) do
      local f2 = assert(io.open(dir .. "/" .. file, "wb"))
      f2:write(content)
      f2:close()
    end
    return dir
  end

  it("reports every problem at once, each with its file, line and column", function()
    local dir = vi_registry("vi_bad", function(text)
      text = text:gsub("12,5;;15/03/2023", "12,5;7;15/03/2023")        -- a value in both capital columns
      text = text:gsub(";85;", ";85 người;")                            -- not a number
      text = text:gsub("Đang xây dựng;2.300", "Ngừng chơi;2.300")     -- unknown status
      text = text:gsub("02/11/2022", "31/11/2022")                      -- no such date
      return text
    end)
    local ds, problems = zs.dataset.load(dir)
    assert.is_nil(ds)
    local file = dir .. "/Dự án.csv"
    assert.is_true(has(problems, file .. ":2: column 'Vốn đăng ký (tỷ đồng)': a value in both " ..
      "'Vốn đăng ký (triệu USD)' and 'Vốn đăng ký (tỷ đồng)'"), table.concat(problems, "\n"))
    assert.is_true(has(problems, file .. ":3: column 'Lao động': '85 người' is not a number (decimal ',', thousands '.')"))
    assert.is_true(has(problems, file .. ":4: column 'Tình trạng': unknown status 'Ngừng chơi' (expected licensed"))
    assert.is_true(has(problems, "or map it: value,Ngừng chơi,projects.status=...)"))
    assert.is_true(has(problems, file .. ":3: column 'Ngày cấp GCN': '31/11/2022' is not a date (%d/%m/%Y or yyyy-mm-dd)"))
  end)

  it("names unknown units and capital without a currency, with the fix", function()
    local dir = vi_registry("vi_unit", function(text) return (text:gsub("%(triệu USD%)", "(triệu Yên)")) end)
    local _, problems = zs.dataset.load(dir)
    assert.is_true(has(problems, "column 'Vốn đăng ký (triệu Yên)': unknown unit 'triệu Yên' (a mapping can name it: "
      .. "unit,triệu Yên,USD*1e6 or the like)"), table.concat(problems, "\n"))
    dir = vi_registry("vi_nocur", function(text)
      return (text:gsub("Vốn đăng ký %(triệu USD%)", "Vốn đăng ký"):gsub(";Vốn đăng ký %(tỷ đồng%)", ";Ghi chú"))
    end)
    _, problems = zs.dataset.load(dir)
    assert.is_true(has(problems, "column 'Vốn đăng ký' has no currency: write it in the header"),
      table.concat(problems, "\n"))
  end)

  it("asks for the province of zones it makes, or takes it from the options", function()
    local dir = vi_registry("vi_noprov", function(text)
      return (text:gsub(";Tỉnh;", ";Ghi chú;"))
    end)
    local ds, problems = zs.dataset.load(dir)
    assert.is_nil(ds)
    assert.is_true(has(problems, "zone 'KCN Tịnh Phong' has no province: add a column 'Tỉnh' to the projects"))
    ds = assert(zs.dataset.load(dir, { province = "Tỉnh Quảng Ngãi" }))
    assert.equals("qn", ds.zones:get("province_id", 1))
  end)

  it("takes a board's mapping for headers and values the built-in one does not know", function()
    local dir = vi_registry("vi_own", function(text)
      return (text:gsub("Tình trạng", "TT hoạt động"):gsub("Đang hoạt động", "HĐ"))
    end)
    local ds = assert(zs.dataset.load(dir))
    assert.is_nil(ds.projects:get("status", 1)) -- status is optional: NA, and the column is named in the notes
    assert.is_true(has(ds.notes, "column 'TT hoạt động' is not used (a mapping can name it"))
    local m = write("own.csv", "kind,from,to\ncolumn,TT hoạt động,projects.status\nvalue,HĐ,projects.status=operating\n")
    ds = assert(zs.dataset.load(dir, { mapping = m }))
    assert.equals("operating", ds.projects:get("status", 1))
  end)

  it("reads a cp1258 registry with the Vietnamese conventions", function()
    local dir = util.tmpdir() .. "/vi_cp1258"
    util.run("rm -rf '" .. dir .. "' && mkdir -p '" .. dir .. "'")
    local src = util.read(VI_FILE):sub(4) -- without the BOM
    local tmp = util.tmpfile("vi_src.csv", src)
    local _, code = util.run("iconv -f UTF-8 -t CP1258 " .. tmp .. " > '" .. dir .. "/projects.csv'")
    assert.equals(0, code)
    local ds = assert(zs.dataset.load(dir, { read = { locale = "vi" } }))
    assert.equals(zs.nfc("KCN Tịnh Phong"), ds.zones:get("name", 1))
    assert.equals(1250, ds.projects:get("employees", 1))
  end)

  it("writes the normalized dataset, which loads back the same", function()
    local ds = assert(zs.dataset.load(VI_DIR))
    local out = util.tmpdir() .. "/vi_out"
    util.run("rm -rf '" .. out .. "'")
    assert(ds:write(out))
    local back = assert(zs.dataset.load(out))
    util.assert_frames_equal(ds.projects, back.projects)
    util.assert_frames_equal(ds.zones, back.zones)
    local ok, err = ds:write(out)
    assert.is_nil(ok)
    assert.matches("not empty", err)
    assert(ds:write(out, { force = true }))
    assert.same({ "vi_out" }, leftovers("vi_out"))
  end)
end)

describe("dataset.load of a board's workbook", function()
  local XLSX = "spec/fixtures/registry_xlsx/Đăng ký.xlsx" -- openpyxl: number and date cells, one text capital

  it("reads the projects sheet to the same dataset as the CSV Excel wrote", function()
    local ds = assert(zs.dataset.load(XLSX))
    local csv = assert(zs.dataset.load(VI_DIR))
    util.assert_frames_equal(csv.projects, ds.projects)
    util.assert_frames_equal(csv.zones, ds.zones)
    assert.equals(1083300000000, ds.projects:get("capital", 3)) -- the text cell "1.083,30" (tỷ đồng)
    assert.equals(12500000, ds.projects:get("capital", 1))      -- the number cell 12.5 (triệu USD)
    assert.is_true(has(ds.notes, "sheet 'Ghi chú' is not a table of the dataset (ignored)"))
  end)

  local function workbook(name, rows)
    local path = util.tmpdir() .. "/" .. name
    local f = zs.frame(rows)
    assert(zs.write_xlsx(path, { { name = "Dự án", frame = f } }))
    return path
  end

  it("names the sheet and cell of every value it cannot read", function()
    local path = workbook("reg_bad.xlsx", {
      ["Tên dự án"] = { "A", "B" }, KCN = { "KCN Tịnh Phong", "KCN Tịnh Phong" }, ["Tỉnh"] = { "Quảng Ngãi", "Quảng Ngãi" },
      ["Vốn đăng ký (triệu USD)"] = { "12,5", "mười" }, ["Ngày cấp GCN"] = { "31/11/2022", "01/12/2022" },
    })
    local ds, problems = zs.dataset.load(path)
    assert.is_nil(ds)
    local names = zs.read_xlsx(path):names()
    local function letter(name)
      for j, n in ipairs(names) do if n == name then return string.char(64 + j) end end
    end
    local msg = table.concat(problems, "\n")
    assert.is_true(has(problems, path .. ": sheet 'Dự án': cell " .. letter("Vốn đăng ký (triệu USD)") ..
      "3: 'mười' is not a number (decimal ',', thousands '.')"), msg)
    assert.is_true(has(problems, path .. ": sheet 'Dự án': cell " .. letter("Ngày cấp GCN") ..
      "2: '31/11/2022' is not a date"), msg)
  end)

  it("refuses two sheets that are the same table, and a workbook it cannot open", function()
    local path = util.tmpdir() .. "/reg_two.xlsx"
    local f = zs.frame({ ["Tên dự án"] = { "A" }, KCN = { "KCN Tịnh Phong" }, ["Tỉnh"] = { "Quảng Ngãi" } })
    assert(zs.write_xlsx(path, { { name = "Dự án", frame = f }, { name = "projects", frame = f } }))
    local ds, problems = zs.dataset.load(path)
    assert.is_nil(ds)
    assert.is_true(has(problems, "sheets 'Dự án' and 'projects' are both the projects table"), table.concat(problems, "\n"))
    local broken = write("reg_broken.xlsx", "PK\3\4 not really a zip")
    ds, problems = zs.dataset.load(broken)
    assert.is_nil(ds)
    assert.matches("reg_broken.xlsx", problems[1])
  end)
end)

describe("dataset.load of a board's SQLite database", function()
  it("reads a table of typed values to the same dataset as the CSV", function()
    local raw = assert(zs.read_csv(VI_FILE, { locale = "vi" }))
    local db = util.tmpdir() .. "/reg.db"
    os.remove(db)
    assert(raw:write_sqlite(db, "Dự án"))
    local ds = assert(zs.dataset.load(db))
    local csv = assert(zs.dataset.load(VI_DIR))
    util.assert_frames_equal(csv.projects, ds.projects)
    assert.is_true(has(ds.notes, db .. ": table 'Dự án': origin derived from the country"))
  end)

  it("names the table, row and column of a value it cannot read", function()
    local db = util.tmpdir() .. "/reg_bad.db"
    os.remove(db)
    local f = zs.frame({ ["Tên dự án"] = { "A", "B" }, KCN = { "KCN Tịnh Phong", "KCN Tịnh Phong" },
      ["Tỉnh"] = { "Quảng Ngãi", "Quảng Ngãi" }, ["Lao động"] = { "12", "nhiều" } })
    assert(f:write_sqlite(db, "projects"))
    local ds, problems = zs.dataset.load(db)
    assert.is_nil(ds)
    assert.is_true(has(problems, db .. ": table 'projects': row 2: column 'Lao động': 'nhiều' is not a number"),
      table.concat(problems, "\n"))
  end)
end)

describe("the provinces of Vietnam", function()
  local ds = assert(zs.dataset.load())
  local p = ds.provinces

  local function valid_on(date)
    local ids, codes = {}, {}
    for row in p:rows() do
      if (row.valid_from == nil or row.valid_from <= date) and (row.valid_to == nil or row.valid_to >= date) then
        assert.is_nil(ids[row.id], row.id .. " twice on " .. date)
        ids[row.id] = row
        if row.code then
          assert.is_nil(codes[row.code], "code " .. row.code .. " twice on " .. date)
          codes[row.code] = row.id
        end
      end
    end
    return ids
  end

  local function count(t)
    local n = 0
    for _ in pairs(t) do n = n + 1 end
    return n
  end

  it("has 63 units before the 2025 arrangement and 34 after", function()
    assert.equals(63, count(valid_on("2025-06-30")))
    assert.equals(34, count(valid_on("2025-07-01")))
  end)

  it("maps every unit that ceased to its successor", function()
    local after = valid_on("2025-07-01")
    for row in p:rows() do
      if row.valid_to == "2025-06-30" then
        assert.is_not_nil(row.successor, row.id)
        assert.is_not_nil(after[row.successor], row.id .. " -> " .. tostring(row.successor))
      end
    end
    assert.equals("hp", valid_on("2025-06-30").hd.successor)
  end)

  it("cites a source for every row and two-digit codes", function()
    for row in p:rows() do
      assert.is_not_nil(row.source_url, row.id)
      assert.is_not_nil(row.confidence, row.id)
      assert.matches("^%d%d$", row.code)
    end
  end)

  it("finds provinces by name, alias, code or id", function()
    assert.equals("hp", ds:province("TP. Hải Phòng"))
    assert.equals("hp", ds:province("31"))
    assert.equals("hd", ds:province("Hải Dương"))
    assert.equals("kt", ds:province("tinh kon tum"))
    assert.is_not_nil(ds:province("Bắc Giang"))
  end)

  it("lets a board anywhere load its registry without reference files", function()
    local dir = util.tmpdir() .. "/bac_giang"
    util.run("rm -rf '" .. dir .. "' && mkdir -p '" .. dir .. "'")
    local text = util.read(VI_FILE):gsub("Quảng Ngãi", "Bắc Giang")
    local fh = assert(io.open(dir .. "/Dự án.csv", "wb"))
    fh:write(text)
    fh:close()
    local d = assert(zs.dataset.load(dir))
    assert.equals(ds:province("Bắc Giang"), d.zones:get("province_id", 1))
    assert.is_true(d.fallback.provinces)
  end)
end)

describe("zonestat reading files", function()
  local function zonestat(args) return util.run("lua5.4 bin/zonestat " .. args) end

  it("sniffs a vi-VN file, reads 1.250 as 1250 and says the conventions in one line", function()
    local out, code = zonestat("--locale en --format csv agg '" .. VI_FILE .. "' --by 'Tình trạng' --sum 'Lao động'")
    assert.equals(0, code, out)
    assert.matches("read .*: separator ';', decimal ',', thousands '.', dates %%d/%%m/%%Y", out)
    assert.matches("Đang hoạt động,4650", out) -- 1.250 + 3.400
  end)

  it("prints the sniffed conventions", function()
    local out, code = zonestat("--locale en sniff '" .. VI_FILE .. "'")
    assert.equals(0, code, out)
    assert.matches("sep%s+;", out)
    assert.matches("date_format%s+%%d/%%m/%%Y", out)
  end)

  it("hints at the separator in one line when --sep is wrong", function()
    local out, code = zonestat("--locale en describe '" .. VI_FILE .. "' --sep ,")
    assert.equals(1, code)
    assert.matches("the file seems to use ';' between fields: add %-%-sep ';'", out)
    assert.is_nil(out:find("internal error", 1, true))
  end)

  it("imports a registry into a dataset folder, refusing a non-empty one", function()
    local out_dir = util.tmpdir() .. "/imported"
    util.run("rm -rf '" .. out_dir .. "'")
    local out, code = zonestat("--locale en import " .. VI_DIR .. " --out '" .. out_dir .. "'")
    assert.equals(0, code, out)
    assert.matches("imported .*: 4 projects, 3 zones", out)
    assert.truthy(util.read(out_dir .. "/projects.csv"))
    out, code = zonestat("--locale en import " .. VI_DIR .. " --out '" .. out_dir .. "'")
    assert.equals(1, code)
    assert.matches("not empty: use %-%-force", out)
    out, code = zonestat("import " .. VI_DIR .. " --out '" .. out_dir .. "' --force")
    assert.equals(0, code, out)
  end)

  it("prints every problem of a bad registry and writes nothing", function()
    local dir = util.tmpdir() .. "/bad_import"
    util.run("rm -rf '" .. dir .. "' && mkdir -p '" .. dir .. "'")
    local fh = assert(io.open(dir .. "/projects.csv", "wb"))
    fh:write((util.read(VI_FILE):gsub(";85;", ";tám mươi;"):gsub("15/03/2023", "15/13/2023")))
    fh:close()
    local out_dir = util.tmpdir() .. "/bad_out"
    local out, code = zonestat("--locale en import '" .. dir .. "' --out '" .. out_dir .. "'")
    assert.equals(1, code)
    assert.matches("cannot load", out)
    assert.matches("projects.csv:3: column 'Lao động': 'tám mươi' is not a number", out)
    assert.matches("projects.csv:2: column 'Ngày cấp GCN': '15/13/2023' is not a date", out)
    assert.same({}, leftovers("bad_out"))
  end)

  it("takes --as-of in dd/mm/yyyy", function()
    local out, code = zonestat("profile --province qn --as-of 30/06/2024 --format csv")
    assert.equals(0, code, out)
    local bad = zonestat("--locale en profile --province qn --as-of 31/06/2024")
    assert.matches("'31/06/2024' is not a date: write yyyy%-mm%-dd or dd/mm/yyyy", bad)
  end)
end)
