--- The `zonestat` command.
--
--     zonestat report   [--data PATH] [--province P]... [--as-of DATE]
--                       [--html FILE] [--xlsx FILE] [--pdf FILE] [--out-dir DIR [--force]]
--     zonestat profile  --province P | --zone Z [--as-of DATE] [--occupancy all|operating]
--     zonestat compare  P1 P2 [P3...] [--as-of DATE]
--     zonestat agg      FILE --by k1,k2 [--sum c]... [--mean c]... [--count]
--     zonestat describe FILE
--     zonestat sniff    FILE
--     zonestat import   PATH --out DIR [--mapping FILE] [--force]
--     zonestat eco      --park ID [--framework F] [--as-of DATE] [--since DATE] [--xlsx FILE]
--     zonestat eco      --list | --criteria-list [--framework F]
--
-- Every command takes `--locale vi|en` (the language of the output) and
-- `--format table|csv|json|md`; CSV follows the locale (vi: `;` between
-- fields, decimal comma, a UTF-8 BOM, as Excel in a Vietnamese locale opens
-- it; en: `,`, decimal point, no BOM) unless `--out-sep`, `--out-decimal`,
-- `--bom` or `--no-bom` say otherwise.  Every command that reads a file the
-- reading options (`--sep`, `--decimal`, `--thousands`, `--date-format`,
-- `--encoding`, `--sheet`, `--input-locale auto|vi`); without them a CSV
-- file's conventions are sniffed and what was assumed is said in one line
-- on stderr.  A user's mistake is one line on stderr with a non-zero exit
-- status; only a bug says "internal error".
-- @module zonestat.cli

local argparse = require "argparse"
local engine = require "zonestat.engine"
local cells = require "zonestat.cells"
local dataset = require "zonestat.dataset"
local export = require "zonestat.export"
local indicators = require "zonestat.indicators"
local l10n = require "zonestat.l10n"
local labels = require "zonestat.labels"
local capital = require "zonestat.capital"
local cli_eco = require "zonestat.cli_eco"
local period = require "zonestat.period"
local profile = require "zonestat.profile"
local provenance = require "zonestat.provenance"
local registry = require "zonestat.registry"
local report = require "zonestat.report"

local M = {}

local DATE_FORMATS = { "%d/%m/%Y", "%d-%m-%Y", "%m/%d/%Y", "%Y-%m-%d" }

-- the help texts: key -> {vi, en}
local HELP = {
  program = { "Thống kê khu kinh tế (KKT) và khu công nghiệp (KCN).",
    "Statistics of economic zones (KKT) and industrial parks (KCN)." },
  epilog = { "Dữ liệu: data/vn đi kèm (danh sách dự án giả lập, số liệu công bố có nguồn) nếu không nêu --data.",
    "Data: the bundled data/vn (synthetic project rows, sourced published figures) unless --data is given." },
  locale = { "Ngôn ngữ của kết quả.", "Language of the output." },
  format = { "Dạng kết quả.", "Output format." },
  sep = { "Ký tự ngăn cách trường của tệp CSV: , ; tab | (mặc định: tự nhận biết).",
    "Field separator of a CSV file: , ; tab | (default: sniffed)." },
  decimal = { "Dấu thập phân (mặc định: tự nhận biết).", "Decimal mark (default: sniffed)." },
  thousands = { "Dấu phân cách hàng nghìn, hoặc none (mặc định: tự nhận biết).",
    "Thousands mark, or none (default: sniffed)." },
  date_format = { "Định dạng ngày của ngày viết dạng chữ (mặc định: tự nhận biết).",
    "Date format of text dates (default: sniffed)." },
  encoding = { "Bảng mã, ví dụ cp1258 (mặc định: UTF-8, hoặc đoán khi không phải UTF-8).",
    "Text encoding, e.g. cp1258 (default: UTF-8, or a guess when the bytes are not)." },
  sheet = { "Trang tính của tệp .xlsx: tên hoặc số thứ tự (mặc định: trang hiện đầu tiên).",
    "Sheet of an .xlsx workbook: its name or number (default: the first visible)." },
  table = { "Bảng hoặc truy vấn của cơ sở dữ liệu SQLite.", "Table or query of a SQLite database." },
  input_locale = { "Quy ước của dữ liệu vào: auto (tự nhận biết) hoặc vi (Việt Nam).",
    "Conventions of the input: auto (sniffed) or vi (Vietnamese)." },
  report = { "Báo cáo một tỉnh hoặc khu, hoặc so sánh nhiều tỉnh: số liệu chính, các khu, tăng trưởng, nguồn.",
    "Report on one province or zone, or several compared: headline figures, zones, growth, sources." },
  data = { "Danh sách đăng ký: thư mục, tệp .xlsx, cơ sở dữ liệu SQLite hoặc tệp CSV.",
    "A registry: folder, .xlsx workbook, SQLite database or CSV file." },
  mapping = { "Tên cột và giá trị của danh sách (tệp ánh xạ JSON hoặc CSV).",
    "The registry's headers and values (a JSON or CSV mapping file)." },
  province_many = { "Một tỉnh (tên hoặc mã); lặp lại để nêu nhiều tỉnh.", "A province (name or id); repeat for several." },
  zone_many = { "Một khu (tên hoặc mã); lặp lại để nêu nhiều khu.", "A zone (name or id); repeat for several." },
  html = { "Ghi thêm báo cáo HTML vào tệp này.", "Also write the HTML report to this file." },
  xlsx = { "Ghi thêm các bảng của báo cáo vào sổ Excel (.xlsx) này: mỗi bảng một trang, thêm trang Nguồn và Ghi chú.",
    "Also write the report's tables to this Excel workbook (.xlsx): a sheet per table, plus Sources and Notes." },
  pdf = { "Ghi thêm báo cáo PDF (khổ A4, in bằng Chromium) vào tệp này.",
    "Also write the report as a PDF (A4, printed by Chromium) to this file." },
  out_dir = { "Với --format csv: ghi mỗi bảng một tệp CSV vào thư mục này (thêm sources.csv, notes.csv).",
    "With --format csv: write one CSV file per table into this folder (plus sources.csv, notes.csv)." },
  report_force = { "Thay thế thư mục --out-dir không rỗng.", "Replace a non-empty --out-dir folder." },
  out_sep = { "Ký tự ngăn cách trường của CSV ghi ra: , ; tab | (mặc định: ; với --locale vi, , với en).",
    "Field separator of the CSV written: , ; tab | (default: ; under --locale vi, , under en)." },
  out_decimal = { "Dấu thập phân của CSV ghi ra (mặc định: , với --locale vi, . với en).",
    "Decimal mark of the CSV written (default: , under --locale vi, . under en)." },
  bom = { "Ghi dấu BOM UTF-8 ở đầu CSV (mặc định với --locale vi).",
    "Start the CSV with a UTF-8 BOM (the default under --locale vi)." },
  no_bom = { "Không ghi dấu BOM (mặc định với --locale en).", "No BOM (the default under --locale en)." },
  as_of = { "Ngày báo cáo yyyy-mm-dd hoặc dd/mm/yyyy.", "Reference date yyyy-mm-dd or dd/mm/yyyy." },
  period = { "Kỳ báo cáo: 2024, 2024-H1, 2024-Q2, 2024-06, 6T/2024, \"6 tháng đầu năm 2024\", \"quý II/2024\" " ..
    "(trong kỳ, cùng kỳ năm trước, lũy kế).", "Reporting period: 2024, 2024-H1, 2024-Q2, 2024-06, 6T/2024, " ..
    "\"6 tháng đầu năm 2024\", \"quý II/2024\" (in the period, the same period a year earlier, cumulative)." },
  allow_mixed = { "Cho phép cộng số tiền của nhiều loại tiền (USD, VND) trong một cột.",
    "Allow adding amounts in different currencies (USD, VND) in one column." },
  top = { "Số dòng của các bảng nhà đầu tư, quốc gia, ngành lớn nhất.", "Rows of the top investors, countries and sectors." },
  profile = { "Các chỉ tiêu của một tỉnh hoặc một khu.", "Indicators of one province or zone." },
  province = { "Một tỉnh (tên hoặc mã).", "A province (name or id)." },
  zone = { "Một khu (tên hoặc mã).", "A zone (name or id)." },
  occupancy = { "Cơ sở tính tỷ lệ lấp đầy.", "Occupancy basis." },
  compare = { "So sánh các tỉnh hoặc các khu.", "Provinces or zones side by side." },
  entity = { "Các tỉnh hoặc khu (tên hoặc mã).", "Provinces or zones (names or ids)." },
  agg = { "Nhóm một bảng (CSV, .xlsx hoặc SQLite) và tính tổng hợp.", "Group a table (CSV, .xlsx or SQLite) and aggregate it." },
  file = { "Tệp CSV, tệp .xlsx hoặc cơ sở dữ liệu SQLite.", "CSV file, .xlsx workbook or SQLite database." },
  by = { "Các cột nhóm, cách nhau bằng dấu phẩy.", "Key columns, comma-separated." },
  sum = { "Tổng của một cột; lặp lại để nêu nhiều cột.", "Sum of a column; repeat for several." },
  mean = { "Trung bình của một cột; lặp lại để nêu nhiều cột.", "Mean of a column; repeat for several." },
  median = { "Trung vị của một cột; lặp lại để nêu nhiều cột.", "Median of a column; repeat for several." },
  min = { "Giá trị nhỏ nhất của một cột; lặp lại để nêu nhiều cột.", "Minimum of a column; repeat for several." },
  max = { "Giá trị lớn nhất của một cột; lặp lại để nêu nhiều cột.", "Maximum of a column; repeat for several." },
  count = { "Số dòng của mỗi nhóm.", "Rows per group." },
  describe = { "Tóm tắt từng cột của một bảng (CSV, .xlsx hoặc SQLite).",
    "Summary of each column of a table (CSV, .xlsx or SQLite)." },
  sniff = { "Quy ước của một tệp CSV: ký tự ngăn cách, dấu thập phân, ngày, bảng mã, dòng tiêu đề.",
    "The conventions of a CSV file: separator, decimal mark, dates, encoding, header." },
  sniff_locale = { "auto, hoặc vi (quy ước Việt Nam khi tệp không tự nói rõ).",
    "auto, or vi (Vietnamese when the file leaves it open)." },
  csv_file = { "Tệp CSV.", "CSV file." },
  import = { "Kiểm tra một danh sách, in mọi lỗi, ghi thư mục dữ liệu đã chuẩn hóa.",
    "Check a registry, print every problem, write the normalized dataset folder." },
  path = { "Danh sách đăng ký: thư mục, tệp .xlsx, cơ sở dữ liệu SQLite hoặc tệp CSV.",
    "A registry: folder, .xlsx workbook, SQLite database or CSV file." },
  out = { "Thư mục dữ liệu sẽ ghi.", "The dataset folder to write." },
  import_province = { "Tỉnh của các khu được lập từ dòng dự án không nêu tỉnh.",
    "The province of zones made from project rows that name none." },
  force = { "Thay thế thư mục --out không rỗng.", "Replace a non-empty --out folder." },
  help = { "Hiện trợ giúp này rồi thoát.", "Show this help message and exit." },
  default = { "mặc định", "default" },
}

-- the command's own messages: key -> {vi, en}
local MSG = {
  csv_only = { "%s: chỉ dùng với --format csv", "%s: only with --format csv" },
  out_dir_csv = { "--out-dir: hãy thêm --format csv (mỗi bảng một tệp CSV)",
    "--out-dir: add --format csv (one CSV file per table)" },
  force_out_dir = { "--force: chỉ dùng với --out-dir", "--force: only with --out-dir" },
  xlsx_name = { "--xlsx %s: tên tệp phải có đuôi .xlsx (Excel không mở đuôi khác)",
    "--xlsx %s: the file name must end in .xlsx (Excel refuses another extension)" },
  no_folder = { "%s %s: không có thư mục %s", "%s %s: there is no folder %s" },
  same_marks = { "--out-decimal '%s' cũng là ký tự ngăn cách trường: hãy thêm --out-sep '%s'",
    "--out-decimal '%s' is also the field separator: add --out-sep '%s'" },
  wrote_dir = { "đã ghi %d tệp vào %s", "wrote %d files into %s" },
  bad_sep = { "--sep '%s': hãy nêu một ký tự (ví dụ --sep ';'), hoặc tab",
    "--sep '%s': give one character (--sep ';', say), or tab" },
  sep_is_mark = { "--sep '%s' cũng là %s: hãy chọn ký tự khác cho một trong hai",
    "--sep '%s' is also the %s: choose another character for one of them" },
  marks_same = { "--decimal và --thousands đều là '%s': hãy bỏ --thousands hoặc chọn dấu kia",
    "--decimal and --thousands are both '%s': drop --thousands or choose the other mark" },
  no_entity = { "'%s': không có tỉnh hay khu nào mang tên này trong dữ liệu: hãy viết tên hoặc mã như trong %s " ..
    "(ví dụ '%s' hoặc '%s')", "'%s': no province or zone of the data has this name: write a name or id as in %s " ..
    "('%s' or '%s', say)" },
  no_province = { "'%s': không có tỉnh nào mang tên này trong dữ liệu: hãy viết tên hoặc mã như trong provinces.csv " ..
    "(ví dụ '%s' hoặc '%s')", "'%s': no province of the data has this name: write a name or id as in provinces.csv " ..
    "('%s' or '%s', say)" },
  no_zone = { "'%s': không có khu nào mang tên này trong dữ liệu: hãy viết tên hoặc mã như trong zones.csv (ví dụ '%s')",
    "'%s': no zone of the data has this name: write a name or id as in zones.csv ('%s', say)" },
  ambiguous_zone = { "'%s' là tên của nhiều khu (%s): hãy viết mã của một khu", "'%s' names several zones (%s): "
    .. "write the id of one" },
  only_for = { "%s: chỉ dùng với tệp %s (%s không phải là tệp như vậy)", "%s: only for %s files (%s is not one)" },
  named_twice = { "'%s' và '%s' là cùng một %s (%s): mỗi tỉnh hoặc khu chỉ nêu một lần",
    "'%s' and '%s' are the same %s (%s): name each province or zone once" },
}

local function text(locale, key, ...)
  return string.format(MSG[key][locale == "en" and 2 or 1], ...)
end

local function reading(cmd, h)
  cmd:option("--sep", h("sep"))
  cmd:option("--decimal", h("decimal")):choices({ ".", "," })
  cmd:option("--thousands", h("thousands")):choices({ ".", ",", "none" })
  cmd:option("--date-format", h("date_format")):choices(DATE_FORMATS)
  cmd:option("--encoding", h("encoding"))
  cmd:option("--sheet", h("sheet"))
  cmd:option("--table", h("table"))
  cmd:option("--input-locale", h("input_locale"), "auto"):choices({ "auto", "vi" })
end

-- the options of every command that computes on a dataset (report, profile, compare)
local function analysing(cmd, h)
  cmd:option("--data", h("data"))
  cmd:option("--mapping", h("mapping"))
  cmd:option("--as-of", h("as_of"))
  cmd:option("--period", h("period"))
end

local function parser(locale)
  local function h(key) return HELP[key][locale == "en" and 2 or 1] end
  local p = argparse("zonestat", h("program")):epilog(h("epilog"))
  local help_flag = { description = h("help") }
  local command = p.command
  -- every command's help flag and option defaults in the locale's words
  function p.command(self, ...)
    local c = command(self, ...)
    c:add_help(help_flag)
    local option = c.option
    function c.option(cs, name, description, default)
      local o = option(cs, name, description and default and
        string.format("%s (%s: %s)", description, h("default"), default) or description, default)
      return o:show_default(false)
    end
    return c
  end
  p:add_help(help_flag)
  p:command_target("command")
  p:option("--locale", h("locale") .. " (" .. h("default") .. ": vi)", "vi"):show_default(false):choices({ "vi", "en" })
  p:option("--format", h("format") .. " (" .. h("default") .. ": table)", "table"):show_default(false)
    :choices({ "table", "csv", "json", "md" })
  p:option("--out-sep", h("out_sep")):choices({ ",", ";", "tab", "|" })
  p:option("--out-decimal", h("out_decimal")):choices({ ".", "," })
  p:mutex(p:flag("--bom", h("bom")), p:flag("--no-bom", h("no_bom")))

  local rep = p:command("report", h("report"))
  analysing(rep, h)
  rep:option("--province", h("province_many")):count("*")
  rep:option("--zone", h("zone_many")):count("*")
  rep:option("--top", h("top"), "5"):convert(math.tointeger)
  rep:option("--html", h("html"))
  rep:option("--xlsx", h("xlsx"))
  rep:option("--pdf", h("pdf"))
  rep:option("--out-dir", h("out_dir"))
  rep:flag("--force", h("report_force"))
  reading(rep, h)

  local prof = p:command("profile", h("profile"))
  analysing(prof, h)
  prof:option("--province", h("province"))
  prof:option("--zone", h("zone"))
  prof:option("--occupancy", h("occupancy"), "all"):choices({ "all", "operating" })
  reading(prof, h)

  local compare = p:command("compare", h("compare"))
  compare:argument("entity", h("entity")):args("2+")
  analysing(compare, h)
  reading(compare, h)

  local agg = p:command("agg", h("agg"))
  agg:argument("file", h("file"))
  agg:option("--by", h("by"))
  for _, op in ipairs({ "sum", "mean", "median", "min", "max" }) do agg:option("--" .. op, h(op)):count("*") end
  agg:flag("--count", h("count"))
  agg:flag("--allow-mixed-currency", h("allow_mixed"))
  reading(agg, h)

  local describe = p:command("describe", h("describe"))
  describe:argument("file", h("file"))
  reading(describe, h)

  local sniff = p:command("sniff", h("sniff"))
  sniff:argument("file", h("csv_file"))
  sniff:option("--input-locale", h("sniff_locale"), "auto"):choices({ "auto", "vi" })

  local import = p:command("import", h("import"))
  import:argument("path", h("path"))
  import:option("--mapping", h("mapping"))
  import:option("--out", h("out")):count(1)
  import:option("--province", h("import_province"))
  import:flag("--force", h("force"))
  reading(import, h)
  cli_eco.add_command(p, h, locale)
  return p
end

local function fail(message) error({ zonestat = message }, 0) end

-- the CSV options of the command line: the locale's conventions
-- (export.CSV), under --out-sep, --out-decimal, --bom and --no-bom
local function csv_options(a)
  local o = {}
  if a.out_sep then o.sep = a.out_sep == "tab" and "\t" or a.out_sep end
  o.decimal = a.out_decimal
  if a.bom then o.bom = true elseif a.no_bom then o.bom = false end
  o = export.csv_options(a.locale, o)
  if o.sep == o.decimal then fail(text(a.locale, "same_marks", o.decimal, o.decimal == "," and ";" or ",")) end
  return o
end

--- text of a frame in the chosen format
local function render(f, a)
  local format = a.format
  if format == "csv" then return f:to_csv(csv_options(a)) end
  if format == "json" then return f:to_json() end
  if format == "md" then return engine.format_markdown(f) end
  return engine.format_frame(f, nil, { all = true }) .. "\n"
end

local function say(msg) io.stderr:write("zonestat: ", msg, "\n") end

-- reader options from the command line (nil when not given), checked:
-- every mistake is one line naming the option and the fix
local function read_options(a)
  local o = {}
  if a.sep then o.sep = (a.sep == "tab" or a.sep == "\\t") and "\t" or a.sep end
  if o.sep and (#o.sep ~= 1 or o.sep == "\n" or o.sep == "\r" or o.sep == '"') then
    fail(text(a.locale, "bad_sep", a.sep))
  end
  o.decimal = a.decimal
  if a.thousands then o.thousands = a.thousands == "none" and "" or a.thousands end
  local vi = a.locale ~= "en"
  if o.sep and o.sep == o.decimal then
    fail(text(a.locale, "sep_is_mark", a.sep, vi and "dấu thập phân (--decimal)" or "decimal mark (--decimal)"))
  end
  if o.sep and o.sep == o.thousands then
    fail(text(a.locale, "sep_is_mark", a.sep, vi and "dấu hàng nghìn (--thousands)" or "thousands mark (--thousands)"))
  end
  if o.decimal and o.decimal == o.thousands then fail(text(a.locale, "marks_same", o.decimal)) end
  if o.sep == "." then -- the point separates fields: it is no number mark
    o.decimal, o.thousands = o.decimal or ",", o.thousands or ""
  end
  o.date_format = a.date_format
  o.encoding = a.encoding
  if a.input_locale == "vi" then o.locale = "vi" end
  return o
end

local function shown(c) return c == "\t" and "tab" or "'" .. tostring(c) .. "'" end

local function conventions_line(info)
  local parts = { "separator " .. shown(info.sep), "decimal " .. shown(info.decimal) }
  if info.thousands and info.thousands ~= "" then parts[#parts + 1] = "thousands " .. shown(info.thousands) end
  if info.date_format and info.date_format ~= "%Y-%m-%d" then parts[#parts + 1] = "dates " .. info.date_format end
  if info.encoding and info.encoding ~= "utf-8" then parts[#parts + 1] = "encoding " .. info.encoding end
  return table.concat(parts, ", ")
end

-- a table from a file the user named, with the conventions said on stderr
local function read_table(file, a)
  local kind, kerr = registry.kind(file)
  if not kind then fail(kerr) end
  local o = read_options(a)
  if a.sheet and kind ~= "xlsx" then fail(text(a.locale, "only_for", "--sheet", ".xlsx", file)) end
  if a.table and kind ~= "sqlite" then fail(text(a.locale, "only_for", "--table", "SQLite", file)) end
  if kind == "folder" then fail(file .. ": is a folder; give a CSV file, an .xlsx workbook or a SQLite database") end
  if kind == "xlsx" then
    o.locale, o.sep, o.encoding = nil, nil, nil
    o.sheet = a.sheet and (tonumber(a.sheet) and math.tointeger(tonumber(a.sheet)) or a.sheet) or nil
    if a.input_locale == "vi" then
      o.decimal, o.thousands, o.date_format = o.decimal or ",", o.thousands or ".", o.date_format or "%d/%m/%Y"
    end
    local f, err = engine.read_xlsx(file, o)
    if not f then fail(err) end
    return f
  end
  if kind == "sqlite" then
    if not a.table then
      local list = engine.read_sqlite(file, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")
      local names = list and list:column("name"):totable() or {}
      fail(l10n.text(a.locale, "sqlite_table", file, #names > 0 and table.concat(names, ", ") or "-"))
    end
    local f, err = engine.read_sqlite(file, a.table)
    if not f then fail(err) end
    return f
  end
  o.sniff = true
  local f, info = engine.read_csv(file, o)
  if not f then
    local sniffed = o.sep and info:find("expected %d+ fields?, found") and engine.sniff_csv(file)
    local hint = sniffed and sniffed.sep ~= o.sep and sniffed.sep
    if hint then
      fail(l10n.text(a.locale, "sep_hint", info, hint == "\t" and "tabs" or "'" .. hint .. "'",
        hint == "\t" and "tab" or hint))
    end
    fail(info)
  end
  local line = l10n.text(a.locale, "read_with", file, conventions_line(info))
  if #info.assumed > 0 then line = line .. " (" .. l10n.text(a.locale, "assumed", table.concat(info.assumed, "; ")) .. ")" end
  say(line)
  return f
end

local function as_of(a)
  if not a.as_of then return nil end
  local d = cells.date(a.as_of, "%d/%m/%Y")
  if not d then fail(l10n.text(a.locale, "bad_date", "--as-of", a.as_of)) end
  return d
end

-- the period of --period, checked against --as-of: one line naming both when it ends later
local function period_of(a)
  if not a.period then return nil end
  local p, en, vi = period.parse(a.period)
  if not p then fail("--period: " .. ((a.locale == "en" and en or vi):gsub("^period%.parse: ", ""))) end
  local _, err = indicators.period_of({ period = p, as_of = as_of(a), locale = a.locale })
  if err then fail("--period, --as-of: " .. err) end
  return p
end

-- the dataset of --data (or path); check(ds), when given, runs before the
-- load's warnings are said, so that a mistake in a name is the only line
local function load_dataset(a, path, check)
  local o = read_options(a)
  o.locale = nil
  local ds, problems = dataset.load(path or a.data, { mapping = a.mapping, read = next(o) and o or nil,
    province = a.province_of_zones })
  if not ds then
    fail(l10n.text(a.locale, "cannot_load", path or a.data or dataset.default_dir()) .. "\n  " ..
      table.concat(problems, "\n  "))
  end
  if check then check(ds) end
  local gaps = {}
  for _, g in ipairs(ds.rate_gaps or {}) do gaps[capital.gap_text(g)] = capital.gap_text(g, a.locale) end
  for _, w in ipairs(ds.warnings) do say(l10n.text(a.locale, "warning", gaps[w] or w)) end
  if path or a.data then
    for _, n in ipairs(ds.notes) do say(l10n.text(a.locale, "note", n)) end
  end
  return ds
end

-- the id of the province or zone a user named (kind "province", "zone", or
-- nil for either), or one line in the locale saying there is none and how
-- to name one
local function entity_of(ds, name, a, kind)
  local e, err
  if kind == "province" then e, err = ds:province(name)
  elseif kind == "zone" then e, err = ds:zone(name)
  else
    local r
    r, err = indicators.resolve(ds, name)
    e = r and (r.province or r.zone)
  end
  if e then return e end
  local several = err and err:match("is ambiguous: (.*)$")
  if several then fail(text(a.locale, "ambiguous_zone", name, several)) end
  local pid = ds.provinces and ds.provinces:nrow() > 0 and ds.provinces:get("id", 1) or "hp"
  local pname = ds:province_name(pid)
  local zid = ds.zones and ds.zones:nrow() > 0 and ds.zones:get("id", 1) or "?"
  if kind == "province" then fail(text(a.locale, "no_province", name, pname, pid)) end
  if kind == "zone" then fail(text(a.locale, "no_zone", name, zid)) end
  fail(text(a.locale, "no_entity", name, "provinces.csv / zones.csv", pname, zid))
end

-- the entities a user named, each found in the data and none twice
local function entities_of(ds, list, a, kind)
  local seen = {}
  for _, name in ipairs(list or {}) do
    local id = entity_of(ds, name, a, kind)
    if seen[id] then
      local what = ds.zone_index and ds.zone_index[id] and (a.locale == "en" and "zone" or "khu")
        or (a.locale == "en" and "province" or "tỉnh")
      fail(text(a.locale, "named_twice", seen[id], name, what, id))
    end
    seen[id] = name
  end
end

local commands = {}

-- the figures of profiles as one long frame, with their provenance (csv, json): the stock at
-- the as-of date (span "as_of"), and with a period its flows (spans "period", "previous",
-- "change", "cumulative", each with its dates)
local function figures_frame(profiles, locale)
  local parts = {}
  local NAMES = { "entity", "name", "span", "from", "to", "indicator", "label", "value", "unit", "class", "qualifier",
    "coverage", "reason", "definition" }
  for _, p in ipairs(profiles) do
    local f = p.frame
    local none = {}
    for i = 1, f:nrow() do none[i] = engine.NA end
    parts[#parts + 1] = f:mutate { entity = engine.lit(p.entity), name = engine.lit(p.name), span = engine.lit("as_of"),
      from = engine.column(none, "str"), to = engine.lit(p.as_of) }:select(table.unpack(NAMES))
    if p.flows then
      local rows = {}
      local dates = { period = { p.period.from, p.period.to }, previous = { p.previous.from, p.previous.to },
        change = { p.period.from, p.period.to }, cumulative = { engine.NA, p.period.to } }
      for _, r in ipairs(p.flows) do
        for _, span in ipairs({ "period", "previous", "change", "cumulative" }) do
          local fig = r[span]
          rows[#rows + 1] = { entity = p.entity, name = p.name, span = span, from = dates[span][1], to = dates[span][2],
            indicator = r.key, label = labels.name(r.key, locale), value = fig.value ~= nil and fig.value + 0.0 or engine.NA,
            unit = fig.unit, class = fig.value ~= nil and fig.class or engine.NA, qualifier = engine.NA,
            coverage = provenance.coverage_text(fig, locale) or engine.NA,
            reason = fig.reason and provenance.REASONS[locale][fig.reason] or engine.NA,
            definition = labels.definition(r.key, locale) or engine.NA }
        end
      end
      parts[#parts + 1] = engine.from_rows(rows, NAMES)
    end
  end
  return engine.concat(table.unpack(parts)):cast { from = "date", to = "date" }
end

-- the text of a figure with its mark, as a table cell; with `note`, its coverage (or why it
-- is missing) after it in parentheses
local function figure_text(fig, locale, note)
  if not fig then return "–" end
  local s = provenance.text(fig, locale, fig.unit == "ratio" and { decimals = 1 } or nil)
  local mark = provenance.mark(fig, locale)
  if mark ~= "" then s = s .. " " .. mark end
  if note then
    local n = provenance.coverage_text(fig, locale) or
      (fig.value == nil and fig.reason and fig.reason ~= "na" and provenance.REASONS[locale][fig.reason])
    if n then s = s .. " (" .. n .. ")" end
  end
  return s
end

-- the flows of a period as a text table: indicator, period, same period a year earlier, change, cumulative
local function flows_table(p, locale)
  local vi = locale ~= "en"
  local names = { vi and "chỉ tiêu" or "indicator", vi and p.period.label_vi or p.period.label_en,
    (vi and "cùng kỳ " or "same period ") .. (vi and p.previous.label_vi or p.previous.label_en),
    vi and "thay đổi" or "change", (vi and "lũy kế đến " or "cumulative to ") .. report.date_text(p.period.to, locale) }
  local rows = {}
  for _, r in ipairs(p.flows) do
    rows[#rows + 1] = { [names[1]] = labels.name(r.key, locale), [names[2]] = figure_text(r.period, locale, true),
      [names[3]] = figure_text(r.previous, locale, true), [names[4]] = figure_text(r.change, locale, true),
      [names[5]] = figure_text(r.cumulative, locale, true) }
  end
  return engine.from_rows(rows, names)
end


-- the folder of a file to write exists (checked before anything is written)
local function folder_of(option, path, locale)
  local dir = path:match("^(.*)/[^/]*$") or "."
  if dir == "" then dir = "/" end
  local info = engine.path_info(dir)
  if not info or info.kind ~= "directory" then fail(text(locale, "no_folder", option, path, dir)) end
end

-- the report's outputs the options ask for, checked before anything is written
local function report_outputs(a)
  if a.out_dir and a.format ~= "csv" then fail(text(a.locale, "out_dir_csv")) end
  if a.force and not a.out_dir then fail(text(a.locale, "force_out_dir")) end
  if a.xlsx and not a.xlsx:lower():match("%.xlsx$") then fail(text(a.locale, "xlsx_name", a.xlsx)) end
  for _, o in ipairs({ { a.html, "--html" }, { a.xlsx, "--xlsx" }, { a.pdf, "--pdf" } }) do
    if o[1] then folder_of(o[2], o[1], a.locale) end
  end
  local chromium
  if a.pdf then
    local err
    chromium, err = export.chromium(a.locale)
    if not chromium then fail("--pdf: " .. err) end
  end
  return { csv = a.format == "csv" and csv_options(a) or nil, chromium = chromium }
end

-- the options of report.build from the command line
local function report_options(a)
  if a.top == nil or a.top < 1 then
    fail("--top: " .. (a.locale == "en" and "give a positive integer" or "hãy nêu một số nguyên dương"))
  end
  return { provinces = a.province, zones = a.zone, as_of = as_of(a), period = period_of(a), locale = a.locale,
    top = a.top }
end

function commands.report(a, out)
  local opts = report_options(a)
  local outputs = report_outputs(a)
  local ds = load_dataset(a, nil, function(d)
    entities_of(d, a.province, a, "province")
    entities_of(d, a.zone, a, "zone")
  end)
  local model, err = report.build(ds, opts)
  if not model then fail(err) end
  if a.out_dir then
    local o = { force = a.force }
    for k, v in pairs(outputs.csv) do o[k] = v end
    local ok, files, code = export.csv_dir(model, a.out_dir, o)
    if not ok then fail(code == "not_empty" and l10n.text(a.locale, "out_exists", a.out_dir) or files) end
    say(text(a.locale, "wrote_dir", #files, a.out_dir))
  elseif a.format == "csv" then
    out(export.long(model):to_csv(outputs.csv))
  elseif a.format == "json" then
    out(export.json(model))
  else
    out(report.markdown(model))
  end
  local html = (a.html or a.pdf) and report.html(model)
  if a.html then
    local ok, werr = report.write(a.html, html)
    if not ok then fail(werr) end
    say(l10n.text(a.locale, "wrote", a.html))
  end
  if a.xlsx then
    local ok, werr = export.xlsx(model, a.xlsx)
    if not ok then fail(werr) end
    say(l10n.text(a.locale, "wrote", a.xlsx))
  end
  if a.pdf then
    local ok, werr = export.pdf(html, a.pdf, { locale = a.locale, chromium = outputs.chromium })
    if not ok then fail(werr) end
    say(l10n.text(a.locale, "wrote", a.pdf))
  end
end

function commands.profile(a, out)
  if (a.province == nil) == (a.zone == nil) then fail(l10n.text(a.locale, "give_one")) end
  local ds = load_dataset(a, nil, function(d)
    if a.province then entity_of(d, a.province, a, "province") else entity_of(d, a.zone, a, "zone") end
  end)
  local p, err = indicators.profile(ds, a.province and { province = a.province } or { zone = a.zone },
    { as_of = as_of(a), period = period_of(a), occupancy = a.occupancy, locale = a.locale })
  if not p then fail(err) end
  if a.format == "csv" or a.format == "json" then
    out(render(figures_frame({ p }, a.locale), a))
    return
  end
  out(string.format("%s (%s), %s %s\n", p.name, p.entity, a.locale == "vi" and "số liệu đến" or "as of",
    report.date_text(p.as_of, a.locale)))
  if p.synthetic then
    out(a.locale == "vi" and "Lưu ý: các dòng dự án là dữ liệu giả lập (GL).\n" or "Note: the project rows are synthetic (S).\n")
  end
  local rows = {}
  for _, i in ipairs(profile.INDICATORS) do
    local f = p.figures[i[1]]
    if f then
      rows[#rows + 1] = { [a.locale == "vi" and "chỉ tiêu" or "indicator"] = labels.name(i[1], a.locale),
        [a.locale == "vi" and "giá trị" or "value"] = figure_text(f, a.locale),
        [a.locale == "vi" and "ghi chú" or "note"] = provenance.coverage_text(f, a.locale) or
          (f.reason and provenance.REASONS[a.locale][f.reason]) or "" }
    end
  end
  local names = a.locale == "vi" and { "chỉ tiêu", "giá trị", "ghi chú" } or { "indicator", "value", "note" }
  local frame = engine.from_rows(rows, names)
  out(a.format == "md" and engine.format_markdown(frame) or engine.format_frame(frame, nil, { all = true }) .. "\n")
  if p.flows then
    local ft = flows_table(p, a.locale)
    out("\n" .. (a.format == "md" and engine.format_markdown(ft) or engine.format_frame(ft, nil, { all = true }) .. "\n"))
  end
  out(provenance.legend(a.locale) .. "\n")
end

function commands.compare(a, out)
  local ds = load_dataset(a, nil, function(d) entities_of(d, a.entity, a) end)
  local f, profiles = indicators.compare(ds, a.entity, { as_of = as_of(a), period = period_of(a), locale = a.locale })
  if not f then fail(profiles) end
  if a.format == "csv" or a.format == "json" then
    out(render(figures_frame(profiles, a.locale), a))
    return
  end
  local names = { a.locale == "vi" and "chỉ tiêu" or "indicator" }
  for _, p in ipairs(profiles) do names[#names + 1] = p.name end
  local rows = {}
  for _, i in ipairs(profile.INDICATORS) do
    local row = { [names[1]] = labels.name(i[1], a.locale) }
    local any = false
    for k, p in ipairs(profiles) do
      local fig = p.figures[i[1]]
      any = any or fig ~= nil
      row[names[k + 1]] = figure_text(fig, a.locale, true)
    end
    if any then rows[#rows + 1] = row end
  end
  local frame = engine.from_rows(rows, names)
  out(a.format == "md" and engine.format_markdown(frame) or engine.format_frame(frame, nil, { all = true }) .. "\n")
  if profiles[1].flows then
    local per = profiles[1].period
    local fnames = { names[1] }
    for _, p in ipairs(profiles) do fnames[#fnames + 1] = p.name end
    local frows = {}
    for k, r in ipairs(profiles[1].flows) do
      local row = { [fnames[1]] = labels.name(r.key, a.locale) }
      for e, p in ipairs(profiles) do row[fnames[e + 1]] = figure_text(p.flows[k].period, a.locale, true) end
      frows[#frows + 1] = row
    end
    local ft = engine.from_rows(frows, fnames)
    out("\n" .. (a.locale == "en" and "In the period " .. per.label_en or "Trong kỳ " .. per.label_vi) .. "\n")
    out(a.format == "md" and engine.format_markdown(ft) or engine.format_frame(ft, nil, { all = true }) .. "\n")
  end
  out(provenance.legend(a.locale) .. "\n")
end

local NUMERIC = { int = true, float = true }

function commands.agg(a, out)
  local f = read_table(a.file, a)
  local names = table.concat(f:names(), ", ")
  local function column(c)
    if not f:has(c) then fail(l10n.text(a.locale, "no_column", a.file, c, names)) end
    return c
  end
  local specs, seen = {}, {}
  if a.count then specs[#specs + 1] = engine.count() end
  for _, op in ipairs({ "sum", "mean", "median", "min", "max" }) do
    for _, c in ipairs(a[op]) do
      column(c)
      if seen[op .. " " .. c] then fail(l10n.text(a.locale, "twice", "--" .. op, c)) end
      seen[op .. " " .. c] = true
      local t = f:column(c):type()
      if op ~= "min" and op ~= "max" and not NUMERIC[t] and t ~= "bool" then
        fail(l10n.text(a.locale, "not_numeric", a.file, c, t, op))
      end
      specs[#specs + 1] = engine[op](c)
    end
  end
  if #specs == 0 then fail(l10n.text(a.locale, "no_spec")) end
  local result, keys
  if a.by then
    keys = {}
    local named = {}
    for k in a.by:gmatch("[^,]+") do
      k = k:match("^%s*(.-)%s*$")
      if k ~= "" then
        if named[k] then fail(l10n.text(a.locale, "twice", "--by", k)) end
        named[k] = true
        keys[#keys + 1] = column(k)
      end
    end
    if #keys == 0 then fail(l10n.text(a.locale, "by_empty")) end
  end
  if not a.allow_mixed_currency then
    local money = {}
    for _, op in ipairs({ "sum", "mean", "median", "min", "max" }) do
      for _, c in ipairs(a[op]) do money[#money + 1] = c end
    end
    local mixed = capital.mixed_currency(f, keys or {}, money, a.locale)
    if mixed then fail(mixed) end
  end
  if keys then
    result = f:group_by(table.unpack(keys)):agg(table.unpack(specs))
  else
    result = f:agg(table.unpack(specs))
  end
  out(render(result, a))
end

function commands.describe(a, out)
  out(render(read_table(a.file, a):describe(), a))
end

function commands.sniff(a, out)
  local info, err = engine.sniff_csv(a.file, { locale = a.input_locale == "vi" and "vi" or nil })
  if not info then fail(err) end
  local rows = {}
  for _, k in ipairs({ "sep", "quote", "decimal", "thousands", "date_format", "encoding", "bom", "header", "eol" }) do
    local v = info[k]
    if k == "eol" then v = v == "\r\n" and "CRLF" or v == "\r" and "CR" or "LF"
    elseif k == "sep" and v == "\t" then v = "tab"
    elseif v == "" then v = "none" end
    rows[#rows + 1] = { option = k, value = tostring(v) }
  end
  for _, name in ipairs((function()
    local t = {}
    for n in pairs(info.types) do t[#t + 1] = n end
    table.sort(t)
    return t
  end)()) do
    rows[#rows + 1] = { option = "types." .. name, value = info.types[name] }
  end
  for _, s in ipairs(info.assumed) do rows[#rows + 1] = { option = "assumed", value = s } end
  out(render(engine.from_rows(rows, { "option", "value" }), a))
end

function commands.import(a, out)
  a.province_of_zones = a.province
  local ds = load_dataset(a, a.path)
  local ok, err = ds:write(a.out, { force = a.force })
  if not ok then
    if err:find("not empty", 1, true) then fail(l10n.text(a.locale, "out_exists", a.out)) end
    fail(err)
  end
  out(l10n.text(a.locale, "imported", a.path, ds.projects:nrow(), ds.zones:nrow(), a.out) .. "\n")
end

function commands.eco(a, out) return cli_eco.run(a, out, fail) end

--- Run the command line.
-- @tparam {string,...} args the arguments (without the program name)
-- @tparam[opt] function out writes standard output (default io.write)
-- @treturn integer exit status: 0 on success, 1 on an error, 2 on a usage error
function M.main(args, out)
  out = out or function(s) io.stdout:write(s) end
  local locale = "vi"
  for i, v in ipairs(args) do
    if v == "--locale" and args[i + 1] then locale = args[i + 1] end
    local l = v:match("^%-%-locale=(.*)$")
    if l then locale = l end
  end
  local p = parser(locale)
  local ok, a = p:pparse(args)
  if not ok then
    io.stderr:write("zonestat: ", a, "\n", p:get_usage(), "\n")
    return 2
  end
  local done, err = pcall(function()
    -- the CSV options only with --format csv
    if a.format ~= "csv" then
      for _, o in ipairs({ { a.out_sep, "--out-sep" }, { a.out_decimal, "--out-decimal" }, { a.bom, "--bom" },
        { a.no_bom, "--no-bom" } }) do
        if o[1] then fail(text(a.locale, "csv_only", o[2])) end
      end
    end
    return commands[a.command](a, out)
  end)
  if not done then
    local msg = type(err) == "table" and err.zonestat or l10n.text(a.locale, "internal", tostring(err))
    io.stderr:write("zonestat: ", msg, "\n")
    return 1
  end
  return 0
end

return M
