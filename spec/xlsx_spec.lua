-- Excel workbooks: zs.read_xlsx, zs.xlsx_sheets, zs.write_xlsx / f:write_xlsx.
-- Fixtures: spec/fixtures/xlsx/ (written by openpyxl, LibreOffice and by hand;
-- make_fixtures.py regenerates them).  The zip bombs are built here, in Lua.
local util = require "spec_util"
local zs = util.zs
local NA = zs.NA

local DIR = "spec/fixtures/xlsx/"
local function fx(name) return DIR .. name end

local function read(name, opts)
  local f, w = zs.read_xlsx(fx(name), opts)
  assert(f, w)
  return f, w
end

local function col(f, name)
  local c, out = f:column(name), {}
  for i = 1, f:nrow() do out[i] = c[i] == nil and NA or c[i] end
  return out
end

-- ---- building zip files in Lua (for the bombs) --------------------------------------

local crc_table = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do c = (c & 1) == 1 and (0xEDB88320 ~ (c >> 1)) or (c >> 1) end
  crc_table[i] = c
end
local function crc32(s)
  local c = 0xFFFFFFFF
  for i = 1, #s do c = crc_table[(c ~ s:byte(i)) & 0xFF] ~ (c >> 8) end
  return c ~ 0xFFFFFFFF
end

-- entries: {name =, data = (stored) | deflated =, crc =, size = (declared)}
local function zip(path, entries)
  local parts, central, offset = {}, {}, 0
  for _, e in ipairs(entries) do
    local method = e.deflated and 8 or 0
    local body = e.deflated or e.data
    local crc = e.crc or crc32(e.data or "")
    local size = e.size or #body
    local head = string.pack("<I4I2I2I2I2I2I4I4I4I2I2", 0x04034b50, 20, 0, method, 0, 0, crc, #body, size, #e.name, 0)
      .. e.name
    central[#central + 1] = string.pack("<I4I2I2I2I2I2I2I4I4I4I2I2I2I2I2I4I4", 0x02014b50, 20, 20, 0, method, 0, 0,
      crc, #body, size, #e.name, 0, 0, 0, 0, 0, offset) .. e.name
    parts[#parts + 1] = head
    parts[#parts + 1] = body
    offset = offset + #head + #body
  end
  local cd = table.concat(central)
  local fh = assert(io.open(path, "wb"))
  fh:write(table.concat(parts), cd, string.pack("<I4I2I2I2I2I4I4I2", 0x06054b50, 0, 0, #entries, #entries, #cd, offset, 0))
  fh:close()
  return path
end

-- A raw deflate stream of `blocks` fixed-Huffman blocks that inflates to
-- about 2 MB each (a space, then "repeat 258 bytes at distance 1" 8006
-- times per block: 8006 = 6 mod 8 keeps every block byte-aligned, so one
-- block's bytes repeat).
local function deflate_spaces(blocks)
  local function block(first, final)
    local bits, nbits, out = 0, 0, {}
    local function put(v, n) -- n bits, least significant first
      for k = 0, n - 1 do
        bits = bits | (((v >> k) & 1) << nbits)
        nbits = nbits + 1
        if nbits == 8 then out[#out + 1] = string.char(bits); bits, nbits = 0, 0 end
      end
    end
    local function code(v, n) -- a Huffman code: most significant bit first
      for k = n - 1, 0, -1 do put((v >> k) & 1, 1) end
    end
    put(final and 1 or 0, 1)
    put(1, 2) -- fixed Huffman codes
    if first then code(0x30 + 32, 8) end -- the literal ' '
    for _ = 1, 8006 do
      code(0xC0 + 5, 8) -- length 258 (symbol 285)
      code(0, 5)         -- distance 1
    end
    code(0, 7) -- end of block
    assert(nbits == 0)
    return table.concat(out)
  end
  return block(true, false) .. block(false, false):rep(blocks - 2) .. block(false, true)
end

local CT = [[<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>]]
local RELS_HEAD = [[<?xml version="1.0" encoding="UTF-8"?>]]
  .. [[<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">]]
local RELS = RELS_HEAD
  .. [[<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" ]]
  .. [[Target="xl/workbook.xml"/></Relationships>]]
local WB = [[<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ]]
  .. [[xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>]]
  .. [[<sheet name="Bom" sheetId="1" r:id="rId1"/></sheets></workbook>]]
local WB_RELS = RELS_HEAD
  .. [[<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" ]]
  .. [[Target="worksheets/sheet1.xml"/></Relationships>]]

local function workbook_with_sheet(path, sheet)
  sheet.name = "xl/worksheets/sheet1.xml"
  return zip(path, {
    { name = "[Content_Types].xml", data = CT }, { name = "_rels/.rels", data = RELS },
    { name = "xl/workbook.xml", data = WB }, { name = "xl/_rels/workbook.xml.rels", data = WB_RELS }, sheet,
  })
end

-- ---- reading ---------------------------------------------------------------------

describe("xlsx_sheets", function()
  it("lists every sheet with its state and declared dimension", function()
    local s = assert(zs.xlsx_sheets(fx("openpyxl_types.xlsx")))
    assert.same({ "index", "name", "state", "dimension" }, s:names())
    assert.same({ "int", "str", "str", "str" }, s:types())
    assert.same({ 1, 2, 3 }, col(s, "index"))
    assert.same({ "Ẩn", "Dữ liệu", "Thứ ba" }, col(s, "name"))
    assert.same({ "hidden", "visible", "visible" }, col(s, "state"))
    assert.same({ "A1:A2", "A1:I15", "A1:A2" }, col(s, "dimension"))
  end)

  it("gives NA for a sheet without a <dimension>", function()
    local s = assert(zs.xlsx_sheets(fx("handmade_inline.xlsx")))
    assert.same({ "Tay" }, col(s, "name"))
    assert.same({ NA }, col(s, "dimension"))
  end)

  it("returns nil and a message for what is no workbook", function()
    local f, err = zs.xlsx_sheets(fx("not_a_zip.xlsx"))
    assert.is_nil(f)
    assert.equals(fx("not_a_zip.xlsx") .. ": not an .xlsx workbook (not a zip file)", err)
  end)
end)

describe("read_xlsx: openpyxl", function()
  it("reads the first visible sheet: numbers, text, booleans, dates, errors, formulas, sparse rows", function()
    local f, warnings = read("openpyxl_types.xlsx")
    assert.same({ "mã", "tên", "vốn", "hoạt động", "ngày", "lỗi", "công thức", "ghi chú", "thời điểm" }, f:names())
    assert.same({ "int", "str", "float", "bool", "date", "int", "str", "str", "float" }, f:types())
    -- rows 6 and 7 of the sheet are absent (NA rows); row 8 has two cells;
    -- rows 12 and 15 only carry formatting and are dropped
    assert.equals(7, f:nrow())
    assert.same({ 1, 2, 3, 4, NA, NA, NA }, col(f, "mã"))
    assert.same({ "Khu kinh tế Đình Vũ – Cát Hải", "KCN Nomura", "KCN Tràng Duệ", "Dung Quất", NA, NA, "dòng thưa" },
      col(f, "tên"))
    assert.equals(zs.nfc(f:get("tên", 1)), f:get("tên", 1))
    assert.same({ 1.5, 2.25, -7.0, 1e15, NA, NA, NA }, col(f, "vốn"))
    assert.same({ true, false, true, false, NA, NA, NA }, col(f, "hoạt động"))
    assert.same({ "2024-01-05", "1999-12-31", "2000-02-29", NA, NA, NA, NA }, col(f, "ngày"))
    -- error cells (#N/A, #DIV/0!) are NA
    assert.same({ NA, NA, 5, NA, NA, NA, NA }, col(f, "lỗi"))
    -- openpyxl writes formulas without a computed value: NA and a warning
    assert.same({ NA, NA, NA, NA, NA, NA, NA }, col(f, "công thức"))
    assert.equals(1, #warnings)
    assert.equals(fx("openpyxl_types.xlsx") .. ": sheet 'Dữ liệu': 4 formula cells without a computed value read as NA "
      .. "(the first: G2); open and save the workbook in Excel or LibreOffice to compute them", warnings[1])
    assert.same({ "đã duyệt", NA, NA, "ghi chú cuối", NA, NA, "cuối" }, col(f, "ghi chú"))
    -- a date-formatted cell with a time of day is a float: the serial number
    assert.same({ 45296 + 10.5 / 24, 45297 + 18 / 24, 45298 + 1 / 86400, NA, NA, NA, NA }, col(f, "thời điểm"))
  end)

  it("reads a sheet by name or by 1-based index, hidden ones too", function()
    local f = read("openpyxl_types.xlsx", { sheet = "Ẩn" })
    assert.same({ "bí mật" }, f:names())
    assert.same({ 1 }, col(f, "bí mật"))
    f = read("openpyxl_types.xlsx", { sheet = 3 })
    assert.same({ "x" }, f:names())
    assert.same({ 10 }, col(f, "x"))
    f = read("openpyxl_types.xlsx", { sheet = 1 })
    assert.same({ "bí mật" }, f:names())
  end)

  it("names the sheets when the one asked for is not there", function()
    local f, err = zs.read_xlsx(fx("openpyxl_types.xlsx"), { sheet = "Dữ kiện" })
    assert.is_nil(f)
    assert.equals(fx("openpyxl_types.xlsx") .. ": no sheet named 'Dữ kiện' (sheets: 'Ẩn' (hidden), 'Dữ liệu', 'Thứ ba')", err)
    f, err = zs.read_xlsx(fx("openpyxl_types.xlsx"), { sheet = 4 })
    assert.is_nil(f)
    assert.equals(fx("openpyxl_types.xlsx") .. ": no sheet 4: the workbook has 3 ('Ẩn' (hidden), 'Dữ liệu', 'Thứ ba')", err)
  end)

  it("reads dates of the 1900 system with Excel's leap-year quirk, and date formats", function()
    local f, warnings = read("openpyxl_dates.xlsx")
    assert.same({ "int", "date", "float", "float", "float", "int", "date" }, f:types())
    -- 59 is 1900-02-28, 60 the 1900-02-29 that never was (NA), 61 1900-03-01
    assert.same({ 59, 60, 61, 1 }, col(f, "serial"))
    assert.same({ "1900-02-28", NA, "1900-03-01", "1900-01-01" }, col(f, "ngày"))
    assert.equals(1, #warnings)
    assert.matches("sheet '1900': 1 date cell read as NA %(the first: B3, serial 60, which is 1900%-02%-29", warnings[1])
    -- datetimes and times are floats (serials, fractions of a day); formats
    -- with d, m, y or h only inside quotes are numbers
    assert.same({ 45296.5, 45296.25, 45296.0, 45297.75 }, col(f, "thời điểm"))
    assert.same({ 0.5, 0.75, 0.0, 0.25 }, col(f, "giờ"))
    assert.same({ 12.5, 3.0, 7.25, 1.0 }, col(f, "số ha"))
    assert.same({ 1250000, 2500000, 10, 0 }, col(f, "tiền"))
    -- a custom date format with a locale: [$-42A]d mmmm yyyy
    assert.same({ "2024-01-05", "2024-01-06", "2024-01-07", "1900-01-01" }, col(f, "ngày vn"))
  end)

  it("reads dates of the 1904 system", function()
    local f = read("openpyxl_1904.xlsx")
    assert.same({ "1904-01-01", "2024-01-05", "1904-01-02" }, col(f, "ngày"))
    assert.same({ 0, 43834, 1 }, col(f, "serial"))
  end)

  it("joins two merged header rows and repeats a merged cell across its span", function()
    local f = read("openpyxl_layout.xlsx", { header = 2 })
    assert.same({ "Tỉnh", "Vốn đăng ký / triệu USD", "Vốn đăng ký / tỷ VND", "Dự án", "Năm" }, f:names())
    assert.same({ "Hải Phòng", "Quảng Ngãi", "Bình Định" }, col(f, "Tỉnh"))
    assert.same({ 24600, 18370, NA }, col(f, "Vốn đăng ký / triệu USD"))
    assert.same({ 560000, 420000, 1000 }, col(f, "Vốn đăng ký / tỷ VND"))
  end)

  it("with one header row, names duplicates and empty names as read_csv does", function()
    local f = read("openpyxl_layout.xlsx")
    -- row 1: Tỉnh, Vốn đăng ký (merged over B:C), Dự án, Năm; row 2 is data
    assert.same({ "Tỉnh", "Vốn đăng ký", "Vốn đăng ký_2", "Dự án", "Năm" }, f:names())
    assert.same({ NA, "Hải Phòng", "Quảng Ngãi", "Bình Định" }, col(f, "Tỉnh"))
    assert.same({ "triệu USD", "24600", "18370", NA }, col(f, "Vốn đăng ký"))
  end)

  it("skips rows, then reads a header, sparse rows and empty columns", function()
    local f = read("openpyxl_layout.xlsx", { sheet = "Bảng", skip = 3 })
    assert.same({ "khu", "diện tích", "V3", "lấp đầy", "V5", "V6" }, f:names())
    assert.same({ "str", "float", "str", "float", "str", "str" }, f:types())
    assert.same({ "KCN Đình Vũ", "KCN Nomura", NA, "KCN Tràng Duệ", NA }, col(f, "khu"))
    assert.same({ 541.0, 153.0, NA, 187.5, NA }, col(f, "diện tích"))
    assert.same({ NA, NA, NA, NA, NA }, col(f, "V3"))
    assert.same({ NA, NA, NA, NA, "ngoài bảng" }, col(f, "V6"))
  end)

  it("reads a range, nrows and columns in the order asked for", function()
    local f = read("openpyxl_layout.xlsx", { sheet = "Bảng", range = "A4:D8" })
    assert.same({ "khu", "diện tích", "V3", "lấp đầy" }, f:names())
    assert.equals(4, f:nrow()) -- rows 5 to 8 (F9 is outside)
    f = read("openpyxl_layout.xlsx", { sheet = "Bảng", range = "B4:D8", columns = { "lấp đầy", "diện tích" } })
    assert.same({ "lấp đầy", "diện tích" }, f:names())
    assert.same({ 0.92, 1.0, NA, 0.85 }, col(f, "lấp đầy"))
    f = read("openpyxl_layout.xlsx", { sheet = "Bảng", skip = 3, nrows = 2, columns = { "khu" } })
    assert.same({ "KCN Đình Vũ", "KCN Nomura" }, col(f, "khu"))
    -- skip counts from the top of the range
    f = read("openpyxl_layout.xlsx", { sheet = "Bảng", range = "A3:B6", skip = 1 })
    assert.same({ "khu", "diện tích" }, f:names())
    assert.same({ 541.0, 153.0 }, col(f, "diện tích"))
    -- whole columns
    f = read("openpyxl_layout.xlsx", { sheet = "Bảng", range = "B:B", skip = 3 })
    assert.same({ "diện tích" }, f:names())
    assert.same({ 541.0, 153.0, NA, 187.5 }, col(f, "diện tích"))
  end)

  it("reads only the columns asked for, also when merged cells name them", function()
    local f = read("openpyxl_layout.xlsx", { header = 2, columns = { "Vốn đăng ký / tỷ VND", "Tỉnh" } })
    assert.same({ "Vốn đăng ký / tỷ VND", "Tỉnh" }, f:names())
    assert.same({ 560000, 420000, 1000 }, col(f, "Vốn đăng ký / tỷ VND"))
    assert.same({ "Hải Phòng", "Quảng Ngãi", "Bình Định" }, col(f, "Tỉnh"))
    f = read("openpyxl_layout.xlsx", { sheet = "Bảng", skip = 3, columns = { "V6", "V3" } })
    assert.same({ { NA, NA, NA, NA, "ngoài bảng" }, { NA, NA, NA, NA, NA } }, { col(f, "V6"), col(f, "V3") })
    -- the rows are those of the sheet whatever the columns read: row 9 only has F9
    assert.equals(5, read("openpyxl_layout.xlsx", { sheet = "Bảng", skip = 3, columns = { "khu" } }):nrow())
    -- a merged cell over a cell with its own text: B1's "x" becomes "Tên" (then "Tên_2"), known only
    -- at the end of the sheet, after B was skipped: read again
    local path = workbook_with_sheet(util.tmpfile("merged_over.xlsx"), { data = '<worksheet><sheetData>'
      .. '<row r="1"><c r="A1" t="inlineStr"><is><t>Tên</t></is></c><c r="B1" t="inlineStr"><is><t>x</t></is></c>'
      .. '<c r="C1" t="inlineStr"><is><t>n</t></is></c></row>'
      .. '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="C2"><v>3</v></c></row></sheetData>'
      .. '<mergeCells><mergeCell ref="A1:B1"/></mergeCells></worksheet>' })
    f = assert(zs.read_xlsx(path, { columns = { "Tên_2", "n" } }))
    assert.same({ "Tên_2", "n" }, f:names())
    assert.same({ { 2 }, { 3 } }, { col(f, "Tên_2"), col(f, "n") })
    assert.same({ "Tên", "Tên_2", "n" }, assert(zs.read_xlsx(path)):names())
  end)

  it("without a header names the columns V1..Vn", function()
    local f = read("openpyxl_layout.xlsx", { sheet = "Bảng", range = "A5:B6", header = false })
    assert.same({ "V1", "V2" }, f:names())
    assert.same({ "KCN Đình Vũ", "KCN Nomura" }, col(f, "V1"))
    assert.same(f:names(), read("openpyxl_layout.xlsx", { sheet = "Bảng", range = "A5:B6", header = 0 }):names())
  end)

  it("keeps text cells as text, or reads them in the conventions given", function()
    local f = read("openpyxl_text.xlsx")
    assert.same({ "str", "str", "str", "str", "str", "str" }, f:types())
    assert.same({ "1.250", "12.500.000", "7", NA }, col(f, "số"))
    -- "NA" and empty text are NA by default
    assert.same({ NA, NA, "không", "Hà Nội" }, col(f, "ghi chú"))
    -- numbers and text in one column: text (the numbers as they would print)
    assert.same({ "7", "1.250", NA, "3.5" }, col(f, "hỗn hợp"))

    f = read("openpyxl_text.xlsx", { thousands = "." })
    assert.equals("int", f:types()[1])
    assert.same({ 1250, 12500000, 7, NA }, col(f, "số"))
    assert.same({ "08123", "00042", "12", "abc" }, col(f, "mã")) -- codes with leading zeros stay text
    -- a number cell and a text "1.250" in one column: both read as numbers
    assert.same({ 7, 1250, NA, 3.5 }, col(f, "hỗn hợp"))

    f = read("openpyxl_text.xlsx", { decimal = ",", date_format = "%d/%m/%Y" })
    assert.same({ 1234.5, -2.75, 10, NA }, col(f, "tiền"))
    assert.same({ "2024-01-05", "2023-12-31", "2024-02-29", NA }, col(f, "ngày"))
    assert.equals("date", f:types()[3])
  end)

  it("takes na tokens and infer = false", function()
    local f = read("openpyxl_text.xlsx", { na = { "không" } })
    assert.same({ "NA", NA, NA, "Hà Nội" }, col(f, "ghi chú"))
    f = read("openpyxl_types.xlsx", { infer = false })
    for _, t in ipairs(f:types()) do assert.equals("str", t) end
    assert.same({ "1", "2", "3", "4", NA, NA, NA }, col(f, "mã"))
    assert.same({ "2024-01-05", "1999-12-31", "2000-02-29", NA, NA, NA, NA }, col(f, "ngày"))
    assert.same({ "true", "false", "true", "false", NA, NA, NA }, col(f, "hoạt động"))
  end)

  it("converts to the types asked for, naming the cell that does not convert", function()
    local f = read("openpyxl_types.xlsx", { types = { ["mã"] = "float", ["vốn"] = "str", ["hoạt động"] = "int" } })
    assert.same({ "float", "str", "int" }, { f:types()[1], f:types()[3], f:types()[4] })
    assert.same({ 1.0, 2.0, 3.0, 4.0, NA, NA, NA }, col(f, "mã"))
    assert.same({ "1.5", "2.25", "-7", "1000000000000000", NA, NA, NA }, col(f, "vốn"))
    assert.same({ 1, 0, 1, 0, NA, NA, NA }, col(f, "hoạt động"))
    f = read("openpyxl_text.xlsx", { types = { ["số"] = "int", ["ngày"] = "date" }, thousands = ".",
      date_format = "%d/%m/%Y" })
    assert.same({ 1250, 12500000, 7, NA }, col(f, "số"))
    assert.same({ "2024-01-05", "2023-12-31", "2024-02-29", NA }, col(f, "ngày"))
    -- serial numbers read as dates
    f = read("openpyxl_1904.xlsx", { types = { serial = "date" } })
    assert.same(col(f, "ngày"), col(f, "serial"))

    local g, err = zs.read_xlsx(fx("openpyxl_types.xlsx"), { types = { ["tên"] = "int" } })
    assert.is_nil(g)
    assert.equals(fx("openpyxl_types.xlsx") .. ": sheet 'Dữ liệu': cell B2: cannot read 'Khu kinh tế Đình Vũ – Cát Hải' "
      .. "as int", err)
    g, err = zs.read_xlsx(fx("openpyxl_types.xlsx"), { types = { ["vốn"] = "int" } })
    assert.is_nil(g)
    assert.equals(fx("openpyxl_types.xlsx") .. ": sheet 'Dữ liệu': cell C2: cannot read 1.5 as int", err)
    g, err = zs.read_xlsx(fx("openpyxl_types.xlsx"), { types = { ["hoạt động"] = "date" } })
    assert.is_nil(g)
    assert.equals(fx("openpyxl_types.xlsx") .. ": sheet 'Dữ liệu': cell D2: cannot read TRUE as date", err)
    g, err = zs.read_xlsx(fx("openpyxl_types.xlsx"), { types = { nope = "int" } })
    assert.is_nil(g)
    assert.equals(fx("openpyxl_types.xlsx") .. ": sheet 'Dữ liệu': option 'types': no column named 'nope'", err)
    g, err = zs.read_xlsx(fx("openpyxl_types.xlsx"), { columns = { "mã", "nope" } })
    assert.is_nil(g)
    assert.equals(fx("openpyxl_types.xlsx") .. ": sheet 'Dữ liệu': no column named 'nope'", err)
  end)
end)

describe("read_xlsx: LibreOffice", function()
  it("reads shared strings, rich text, merged headers, cached formula values and errors", function()
    local f, warnings = read("libreoffice.xlsx", { sheet = "KCN", header = 2 })
    assert.same({ "Khu", "Vốn đăng ký / triệu USD", "Vốn đăng ký / tỷ VND", "Hoạt động", "Ngày cấp", "Gấp đôi", "Lỗi" },
      f:names())
    assert.same({ "str", "int", "float", "int", "date", "int", "int" }, f:types())
    -- a rich-text cell: its runs joined
    assert.same({ "KCN Đình Vũ – Cát Hải", "KCN Nomura", "Dung Quất" }, col(f, "Khu"))
    assert.same({ 1250, -3, NA }, col(f, "Vốn đăng ký / triệu USD"))
    assert.same({ 29.5, 0.125, 7.0 }, col(f, "Vốn đăng ký / tỷ VND"))
    -- LibreOffice writes its booleans as the numbers 1 and 0
    assert.same({ 1, 0, 1 }, col(f, "Hoạt động"))
    -- LibreOffice counts days from 1899-12-30 without Excel's 1900-02-29: its
    -- 1900-02-28 is serial 60, which Excel (and so zonestat) reads as the day
    -- that never was
    assert.same({ "2024-01-05", NA, "1900-03-01" }, col(f, "Ngày cấp"))
    assert.equals(1, #warnings)
    assert.matches("the first: E4, serial 60", warnings[1], 1, true)
    assert.same({ 2500, -6, 0 }, col(f, "Gấp đôi"))
    assert.same({ NA, NA, 1 }, col(f, "Lỗi")) -- #DIV/0! and #N/A
  end)

  it("reads dates of a 1904 workbook", function()
    local f = read("libreoffice_1904.xlsx", { sheet = 2, header = 2 })
    assert.same({ "2024-01-05", "1900-02-28", "1900-03-01" }, col(f, "Ngày cấp"))
  end)

  it("reads the first visible sheet by default", function()
    local f = read("libreoffice.xlsx")
    assert.same({ "trang ẩn" }, f:names())
    assert.equals(0, f:nrow())
  end)
end)

describe("read_xlsx: hand-written parts", function()
  it("reads inline and rich strings, t=str and t=d cells, cells and rows without references", function()
    local f = read("handmade_inline.xlsx")
    assert.same({ "chữ", "số", "ngày", "công thức", "thời điểm" }, f:names())
    assert.same({ "str", "float", "date", "str", "float" }, f:types())
    -- rich runs joined, phonetic runs left out, _xHHHH_ escapes decoded
    assert.same({ "Khu kinh tế", "dòng\r\nhai", NA, " x_x0041_ " }, col(f, "chữ"))
    assert.same({ 42, 1500, NA, -0.25 }, col(f, "số"))
    assert.same({ "2024-01-05", "2024-02-29", NA, NA }, col(f, "ngày"))
    assert.same({ "ab", NA, NA, NA }, col(f, "công thức"))
    assert.same({ 45296.5, 45296 + (6.5 * 3600 + 0.5) / 86400, NA, NA }, col(f, "thời điểm"))
  end)
end)

describe("read_xlsx: errors", function()
  local function fails(name, expected, opts)
    local f, err = zs.read_xlsx(name:find("/") and name or fx(name), opts)
    assert.is_nil(f)
    assert.equals(expected, err)
  end

  it("has a plain message for each kind of file that is no workbook", function()
    fails("missing.xlsx", fx("missing.xlsx") .. ": No such file or directory")
    fails("spec/fixtures", "spec/fixtures: Is a directory")
    fails("not_a_zip.xlsx", fx("not_a_zip.xlsx") .. ": not an .xlsx workbook (not a zip file)")
    fails("libreoffice.xls", fx("libreoffice.xls") .. ": this is an Excel 97-2003 .xls file: save it as .xlsx")
    fails("encrypted.xlsx", fx("encrypted.xlsx") .. ": the workbook is encrypted: save it as .xlsx without a password")
    fails("truncated.xlsx", fx("truncated.xlsx") .. ": the zip file is damaged or truncated (Not a zip archive)")
    fails("handmade_no_workbook.xlsx",
      fx("handmade_no_workbook.xlsx") .. ": not an .xlsx workbook (the zip file has no xl/workbook.xml)")
    local empty = util.tmpfile("empty.xlsx", "")
    fails(empty, empty .. ": not an .xlsx workbook (not a zip file)")
  end)

  it("refuses DTDs (no entity expansion) and reports broken XML with its line", function()
    fails("handmade_dtd.xlsx", fx("handmade_dtd.xlsx") .. ": sheet 'Cười': xl/worksheets/sheet1.xml:2:16: the XML has a "
      .. "DTD (<!DOCTYPE>): DTDs are refused (they can declare entities that expand without bound)")
    fails("handmade_garbage.xlsx", fx("handmade_garbage.xlsx") .. ": sheet 'Rác': xl/worksheets/sheet1.xml:3:34: "
      .. "mismatched tag")
  end)

  it("names a cell beyond XFD1048576", function()
    fails("handmade_beyond.xlsx",
      fx("handmade_beyond.xlsx") .. ": sheet 'Xa': cell XFE1 is beyond the last cell of a sheet (XFD1048576)")
  end)

  it("refuses deeply nested elements", function()
    local sheet = '<worksheet><sheetData><row r="1">' .. ("<x>"):rep(300) .. ("</x>"):rep(300) .. "</row></sheetData></worksheet>"
    local path = workbook_with_sheet(util.tmpfile("deep.xlsx"), { data = sheet })
    fails(path, path .. ": sheet 'Bom': xl/worksheets/sheet1.xml:1:793: elements nested too deeply")
  end)

  it("refuses a zip bomb by its declared size", function()
    -- a sheet entry that says it inflates to 3 GB
    local path = workbook_with_sheet(util.tmpfile("bomb_declared.xlsx"),
      { deflated = deflate_spaces(2), crc = 0, size = 3 * 1024 * 1024 * 1024 })
    fails(path, path .. ": sheet 'Bom': xl/worksheets/sheet1.xml inflates to 3221225472 bytes, more than both 100 times "
      .. "the file's size and 2 GiB: refused as a possible zip bomb")
  end)

  it("refuses a zip bomb by the bytes it inflates to, whatever its header says #slow", function()
    -- 1100 blocks: about 2.3 GB of spaces from a 14 MB file; the header says 1000 bytes
    local path = workbook_with_sheet(util.tmpfile("bomb_lying.xlsx"),
      { deflated = deflate_spaces(1100), crc = 0, size = 1000 })
    local t0 = os.time()
    fails(path, path .. ": sheet 'Bom': xl/worksheets/sheet1.xml inflates to more than both 100 times the file's size and 2 GiB: "
      .. "refused as a possible zip bomb")
    assert.is_true(os.time() - t0 < 60)
  end)

  it("raises on misuse, naming the call and the option", function()
    local p = fx("openpyxl_types.xlsx")
    assert.has_error(function() zs.read_xlsx(p, { sheet = {} }) end,
      "read_xlsx: option 'sheet' must be a sheet name or a 1-based sheet index")
    assert.has_error(function() zs.read_xlsx(p, { sheet = 0 }) end,
      "read_xlsx: option 'sheet' must be a sheet name or a 1-based sheet index")
    assert.has_error(function() zs.read_xlsx(p, { header = "yes" }) end,
      "read_xlsx: option 'header' must be a boolean or the number of header rows")
    assert.has_error(function() zs.read_xlsx(p, { sep = ";" }) end, "read_xlsx: unknown option 'sep'")
    assert.has_error(function() zs.read_xlsx(p, { range = "A1-B2" }) end,
      "read_xlsx: option 'range' must be a cell range such as \"A3:K200\" or \"B:F\", got 'A1-B2'")
    assert.has_error(function() zs.read_xlsx(p, { types = { ["mã"] = "integer" } }) end,
      "read_xlsx: option 'types': unknown type 'integer' for column 'mã'")
    assert.has_error(function() zs.read_xlsx(p, { date_format = "dd/mm/yyyy" }) end,
      "read_xlsx: option 'date_format' must be \"%d/%m/%Y\", \"%d-%m-%Y\", \"%m/%d/%Y\" or \"%Y-%m-%d\"")
    assert.has_error(function() zs.read_xlsx(42) end, "read_xlsx: argument 'path' must be a string, got number")
    assert.has_error(function() zs.xlsx_sheets() end, "xlsx_sheets: argument 'path' must be a string, got nil")
  end)
end)

describe("read_xlsx: big sheets on several threads #slow #threads", function()
  -- a sheet of about 10 MB of XML (parsed in parallel chunks from 8 MB on),
  -- with `tweak` applied to its rows' text
  local function big_sheet(name, tweak, opts)
    opts = opts or {}
    local rows = { '<?xml version="1.0" encoding="UTF-8"?>\n<x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
      .. 'spreadsheetml/2006/main"><x:dimension ref="A1:C120001"/><x:sheetData>' }
    rows[2] = '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Khu</x:t></x:is></x:c><x:c r="B1" t="inlineStr">'
      .. '<x:is><x:t>n</x:t></x:is></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>Vốn</x:t></x:is></x:c></x:row>'
    rows[3] = '<x:row r="2"><x:c r="C2" t="inlineStr"><x:is><x:t>triệu</x:t></x:is></x:c></x:row>'
    for i = 3, 120001 do
      local row = string.format('<x:row r="%d"><x:c r="A%d" t="inlineStr"><x:is><x:t>KCN số %d</x:t></x:is></x:c>'
        .. '<x:c r="B%d"><x:v>%d</x:v></x:c><x:c r="C%d"><x:v>%s</x:v></x:c></x:row>', i, i, i % 997, i, i, i, i / 8)
      rows[#rows + 1] = tweak and tweak(i, row) or row
    end
    rows[#rows + 1] = '</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A1:A2"/></x:mergeCells></x:worksheet>'
    local xml = table.concat(rows, "\n")
    assert(#xml > 8 * 1024 * 1024)
    return workbook_with_sheet(util.tmpfile(name), { data = xml, size = opts.size })
  end

  local function on_threads(n, fn)
    local old = zs.set_threads(n)
    local ok, a, b = pcall(fn)
    zs.set_threads(old)
    assert(ok, a)
    return a, b
  end

  local function same_on_1_and_3_threads(path, opts)
    local f1, e1 = on_threads(1, function() return zs.read_xlsx(path, opts) end)
    local f3, e3 = on_threads(3, function() return zs.read_xlsx(path, opts) end)
    if not f1 then
      assert.is_nil(f3)
      assert.equals(e1, e3)
      return nil, e1
    end
    util.assert_frames_equal(f1, f3)
    assert.same(e1, e3)
    return f3
  end

  it("reads the same frame on one thread and on several", function()
    local path = big_sheet("big.xlsx")
    local f = same_on_1_and_3_threads(path, { header = 2 })
    assert.same({ "Khu", "n", "Vốn / triệu" }, f:names())
    assert.same({ "str", "int", "float" }, f:types())
    assert.equals(119999, f:nrow())
    assert.same({ "KCN số 3", 3, 3 / 8 }, { f:get("Khu", 1), f:get("n", 1), f:get("Vốn / triệu", 1) })
    assert.same({ "KCN số " .. 120001 % 997, 120001, 120001 / 8 },
      { f:get("Khu", 119999), f:get("n", 119999), f:get("Vốn / triệu", 119999) })
    -- nrows (the rest only scanned for merged cells), types, columns, a range
    f = same_on_1_and_3_threads(path, { header = 2, nrows = 5, columns = { "Vốn / triệu", "Khu" } })
    assert.same({ "Vốn / triệu", "Khu" }, f:names())
    assert.equals(5, f:nrow())
    f = same_on_1_and_3_threads(path, { header = false, skip = 100000, types = { V2 = "float" } })
    assert.equals(20001, f:nrow())
    assert.equals("float", f:types()[2])
    same_on_1_and_3_threads(path, { range = "B50000:C60000", header = false })
  end)

  it("falls back to one thread for what chunks cannot cut safely, with the same result", function()
    -- a comment in the middle, rows without r= in the second half, CDATA
    local f = same_on_1_and_3_threads(big_sheet("comment.xlsx", function(i, row)
      return i == 70000 and "<!-- <x:row r=\"1\"> -->" .. row or row
    end), { header = 2 })
    assert.equals(119999, f:nrow())
    f = same_on_1_and_3_threads(big_sheet("norow.xlsx", function(i, row)
      return i > 60000 and row:gsub('^<x:row r="%d+">', "<x:row>") or row
    end), { header = 2 })
    assert.equals(119999, f:nrow())
    assert.equals(120001, f:get("n", 119999))
    f = same_on_1_and_3_threads(big_sheet("cdata.xlsx", function(i, row)
      return i == 90000 and row:gsub("KCN số", "<![CDATA[KCN</x:row>]]>") or row
    end), { header = 2 })
    assert.equals("KCN</x:row> " .. 90000 % 997, f:get("Khu", 90000 - 2))
  end)

  it("reports an error in a late chunk at its true line (row 110000 is on line 110002)", function()
    local path = big_sheet("late_error.xlsx", function(i, row)
      return i == 110000 and row:gsub("</x:v></x:c></x:row>$", "</x:v></x:row>") or row
    end)
    local f, err = same_on_1_and_3_threads(path)
    assert.is_nil(f)
    assert.matches("^" .. path:gsub("%p", "%%%0") .. ": sheet 'Bom': xl/worksheets/sheet1.xml:110002:%d+: mismatched tag$", err)
    -- and a cell error, which names its cell
    path = big_sheet("late_cell.xlsx", function(i, row)
      return i == 100000 and row:gsub('r="C100000"', 'r="XFE100000"') or row
    end)
    f, err = same_on_1_and_3_threads(path)
    assert.is_nil(f)
    assert.equals(path .. ": sheet 'Bom': cell XFE100000 is beyond the last cell of a sheet (XFD1048576)", err)
  end)
end)

-- ---- writing ---------------------------------------------------------------------

local function sample()
  return zs.frame({
    ["mã"] = { 1, -2, NA, 9007199254740992, 0 },
    ["tên"] = { "Khu kinh tế Đình Vũ – Cát Hải", "KCN Nomura", NA, "tab\tand\1control", "x_x0041_y" },
    ["vốn"] = { 1.5, -0.1, NA, 1e300, 2.5e-300 },
    ["hoạt động"] = { true, false, NA, true, false },
    ["ngày"] = zs.column({ "2024-01-05", "1900-01-01", NA, "1900-03-01", "9999-12-31" }, "date"),
  }, { "mã", "tên", "vốn", "hoạt động", "ngày" })
end

local function read_back(path, sheet) return assert(zs.read_xlsx(path, { sheet = sheet })) end

local function openpyxl_available()
  return util.run("/usr/bin/python3 -c 'import openpyxl' && echo ok"):find("ok") ~= nil
end

describe("write_xlsx", function()
  it("writes a frame that reads back to the same frame", function()
    local f = sample()
    local path = util.tmpfile("roundtrip.xlsx")
    assert.is_true(f:write_xlsx(path))
    local g, warnings = assert(zs.read_xlsx(path))
    util.assert_frames_equal(f, g)
    assert.same({}, warnings)
    assert.same({ "Sheet1" }, col(assert(zs.xlsx_sheets(path)), "name"))
  end)

  it("writes several sheets, each read back by name", function()
    local f = sample()
    local by_zone = zs.frame({ khu = { "Đình Vũ", "Nomura" }, n = { 3, 4 } }, { "khu", "n" })
    local path = util.tmpfile("sheets.xlsx")
    assert.is_true(zs.write_xlsx(path, { { name = "Dự án", frame = f }, { name = "Theo khu", frame = by_zone } }))
    local s = assert(zs.xlsx_sheets(path))
    assert.same({ "Dự án", "Theo khu" }, col(s, "name"))
    assert.same({ "A1:E6", "A1:B3" }, col(s, "dimension"))
    util.assert_frames_equal(f, read_back(path, "Dự án"))
    util.assert_frames_equal(by_zone, read_back(path, 2))
  end)

  it("has documented exceptions: empty text is NA, all-NA columns are str, integral floats int", function()
    local f = zs.frame({
      s = { "", "a" }, none = zs.column({ NA, NA }, "float"), whole = { 1.0, 2.0 }, d = zs.column({ NA, NA }, "date"),
    }, { "s", "none", "whole", "d" })
    local path = util.tmpfile("exceptions.xlsx")
    assert(f:write_xlsx(path))
    local g = assert(zs.read_xlsx(path))
    assert.same({ "str", "str", "int", "str" }, g:types())
    assert.same({ NA, "a" }, col(g, "s"))
    assert.same({ 1, 2 }, col(g, "whole"))
    -- floats keep 16 significant digits (libxlsxwriter's printf("%.16G"))
    local h = zs.frame({ x = { 0.1 + 0.2, 1 / 3 } })
    assert(h:write_xlsx(path))
    assert.same({ 0.3, 0.3333333333333333 }, col(assert(zs.read_xlsx(path)), "x"))
  end)

  it("writes without a header row, and with number formats", function()
    local f = zs.frame({ a = { 1234567, 2 }, b = { "x", "y" } }, { "a", "b" })
    local path = util.tmpfile("noheader.xlsx")
    assert(f:write_xlsx(path, { header = false, sheet = "Số", formats = { a = "#,##0" } }))
    local g = assert(zs.read_xlsx(path, { header = false, sheet = "Số" }))
    assert.same({ "V1", "V2" }, g:names())
    assert.same({ 1234567, 2 }, col(g, "V1"))
  end)

  it("is read by openpyxl with the same values, bold frozen header, widths and formats", function()
    if not openpyxl_available() then return pending("python3-openpyxl is not installed") end
    local f = sample()
    local path = util.tmpfile("openpyxl_check.xlsx")
    assert(f:write_xlsx(path, { sheet = "Dự án", formats = { ["vốn"] = "#,##0.00" } }))
    local script = util.tmpfile("check.py", [[
import openpyxl, sys
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Dự án"]
print(ws.freeze_panes, ws["A1"].font.b, ws["B1"].value)
print(ws["E2"].number_format, ws["E2"].value.date(), ws["C2"].number_format, ws["C2"].value)
print(ws["D2"].value, ws["B4"].value, ws["A4"].value)
print(ws.column_dimensions["A"].width >= 8, ws.column_dimensions["B"].width >= 29, ws.column_dimensions["B"].width <= 62)
]])
    local out = util.run("/usr/bin/python3 " .. script .. " " .. path)
    assert.equals("A2 True tên\ndd/mm/yyyy 2024-01-05 #,##0.00 1.5\nTrue None None\nTrue True True\n", out)
  end)

  it("refuses integers beyond 2^53, infinities and dates Excel cannot hold, naming column and row", function()
    local path = util.tmpfile("refused.xlsx")
    local big = zs.frame({ id = { 1, math.tointeger(2 ^ 53) + 1 } })
    local ok, err = big:write_xlsx(path)
    assert.is_nil(ok)
    assert.equals(path .. ": sheet 'Sheet1': column 'id' row 2: 9007199254740993 is beyond +-2^53, the largest integers "
      .. "Excel's numbers (doubles) hold exactly: cast the column to str or float first", err)
    ok, err = zs.frame({ x = { 1.5, -math.huge } }):write_xlsx(path)
    assert.is_nil(ok)
    assert.equals(path .. ": sheet 'Sheet1': column 'x' row 2: -inf: Excel has no infinite numbers", err)
    ok, err = zs.frame({ d = zs.column({ "1899-12-31" }, "date") }):write_xlsx(path)
    assert.is_nil(ok)
    assert.equals(path .. ": sheet 'Sheet1': column 'd' row 1: 1899-12-31 is outside the dates Excel holds "
      .. "(1900-01-01 to 9999-12-31): cast the column to str first", err)
    ok, err = zs.frame({ s = { ("ă"):rep(32768) } }):write_xlsx(path)
    assert.is_nil(ok)
    assert.equals(path .. ": sheet 'Sheet1': column 's' row 1: the text is longer than the 32767 characters an Excel "
      .. "cell holds", err)
    assert.is_nil(io.open(path))
  end)

  it("refuses sheet names Excel does not take", function()
    local f = zs.frame({ a = { 1 } })
    local path = util.tmpfile("names.xlsx")
    local function refused(name, msg, other)
      local sheets = { { name = name, frame = f } }
      if other then table.insert(sheets, 1, { name = other, frame = f }) end
      assert.has_error(function() zs.write_xlsx(path, sheets) end, "write_xlsx: " .. msg)
    end
    refused("", "a sheet name must not be empty")
    refused("Tổng hợp vốn đăng ký theo khu công nghiệp", "sheet name 'Tổng hợp vốn đăng ký theo khu công nghiệp' "
      .. "has 41 characters: Excel allows at most 31")
    refused("2023/2024", "sheet name '2023/2024' contains '/': Excel forbids [ ] : * ? / \\ in sheet names")
    refused("[KCN]", "sheet name '[KCN]' contains '[': Excel forbids [ ] : * ? / \\ in sheet names")
    refused("'Q1", "sheet name ''Q1' begins or ends with an apostrophe, which Excel forbids")
    refused("History", "sheet name 'History' is reserved by Excel")
    refused("ĐÌNH VŨ", "sheet name 'ĐÌNH VŨ' is used twice (Excel ignores case)", "đình vũ")
    assert.has_error(function() f:write_xlsx(path, { sheet = "a:b" }) end,
      "write_xlsx: sheet name 'a:b' contains ':': Excel forbids [ ] : * ? / \\ in sheet names")
    assert.is_nil(io.open(path))
    -- 31 characters are fine
    assert.is_true(f:write_xlsx(path, { sheet = ("ắ"):rep(31) }))
  end)

  it("writes atomically: a failed write leaves no temporary file and the old file in place", function()
    local dir = util.tmpdir() .. "/atomic"
    os.execute("mkdir -p " .. dir .. "/target.xlsx")
    local f = sample()
    -- the target is a directory: the rename fails after the workbook was written
    local ok, err = f:write_xlsx(dir .. "/target.xlsx")
    assert.is_nil(ok)
    assert.equals(dir .. "/target.xlsx: Is a directory", err)
    -- no such folder
    ok, err = f:write_xlsx(dir .. "/no/such/out.xlsx")
    assert.is_nil(ok)
    assert.equals(dir .. "/no/such/out.xlsx: No such file or directory", err)
    -- a refused frame leaves the old workbook as it was
    local path = dir .. "/kept.xlsx"
    assert(f:write_xlsx(path))
    local before = util.read(path)
    ok = zs.frame({ id = { math.tointeger(2 ^ 53) + 1 } }):write_xlsx(path)
    assert.is_nil(ok)
    assert.equals(before, util.read(path))
    assert.equals("kept.xlsx\ntarget.xlsx\n", util.run("ls " .. dir))
  end)

  it("raises on misuse", function()
    local f = zs.frame({ a = { 1 } })
    local path = util.tmpfile("misuse.xlsx")
    assert.has_error(function() f:write_xlsx(path, { sheets = "x" }) end, "write_xlsx: unknown option 'sheets'")
    assert.has_error(function() f:write_xlsx(path, { formats = { b = "0" } }) end,
      "write_xlsx: sheets[1].formats: no column named 'b'")
    assert.has_error(function() f:write_xlsx(42) end, "write_xlsx: argument 'path' must be a string, got number")
    assert.has_error(function() zs.write_xlsx(path, {}) end,
      "write_xlsx: argument 'sheets' must be a non-empty array of {name =, frame =}")
    assert.has_error(function() zs.write_xlsx(path, { { name = "a", frame = {} } }) end,
      "write_xlsx: argument 'sheets[1].frame' must be a frame, got table")
    assert.has_error(function() zs.write_xlsx(path, { { name = "a", frame = f, sheet = "b" } }) end,
      "write_xlsx: sheets[1]: unknown field 'sheet'")
  end)
end)
