--- The `zonestat` command.
--
--     zonestat report   [--data PATH] [--province P]... [--html FILE] [--as-of DATE]
--     zonestat profile  --province P | --zone Z [--as-of DATE] [--occupancy all|operating]
--     zonestat compare  P1 P2 [P3...] [--as-of DATE]
--     zonestat agg      FILE --by k1,k2 [--sum c]... [--mean c]... [--count]
--     zonestat describe FILE
--     zonestat sniff    FILE
--     zonestat import   PATH --out DIR [--mapping FILE] [--force]
--
-- Every command takes `--locale vi|en` (the language of the output) and
-- `--format table|csv|json|md`, and every command that reads a file the
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
local indicators = require "zonestat.indicators"
local l10n = require "zonestat.l10n"
local registry = require "zonestat.registry"
local report = require "zonestat.report"

local M = {}

local DATE_FORMATS = { "%d/%m/%Y", "%d-%m-%Y", "%m/%d/%Y", "%Y-%m-%d" }

-- the options of every command that reads a file
local function reading(cmd)
  cmd:option("--sep", "Field separator of a CSV file: , ; tab | (default: sniffed).")
  cmd:option("--decimal", "Decimal mark (default: sniffed)."):choices({ ".", "," })
  cmd:option("--thousands", "Thousands mark, or none (default: sniffed)."):choices({ ".", ",", "none" })
  cmd:option("--date-format", "Date format of text dates (default: sniffed)."):choices(DATE_FORMATS)
  cmd:option("--encoding", "Text encoding, e.g. cp1258 (default: UTF-8, or a guess when the bytes are not).")
  cmd:option("--sheet", "Sheet of an .xlsx workbook: its name or number (default: the first visible).")
  cmd:option("--table", "Table or query of a SQLite database.")
  cmd:option("--input-locale", "Conventions of the input: auto (sniffed) or vi (Vietnamese).", "auto")
    :choices({ "auto", "vi" })
end

local function parser()
  local p = argparse("zonestat", "Statistics of economic zones (KKT) and industrial parks (KCN).")
    :epilog("Data: the bundled data/vn (synthetic project rows, sourced published figures) unless --data is given.")
  p:command_target("command")
  p:option("--locale", "Language of the output.", "vi"):choices({ "vi", "en" })
  p:option("--format", "Output format.", "table"):choices({ "table", "csv", "json", "md" })

  local rep = p:command("report", "Compare provinces: headline figures, growth, rankings, sources.")
  rep:option("--data", "A registry: folder, .xlsx workbook, SQLite database or CSV file.")
  rep:option("--mapping", "The registry's headers and values (a JSON or CSV mapping file).")
  rep:option("--province", "A province (name or id); repeat for several."):count("*")
  rep:option("--html", "Also write the HTML report to this file.")
  rep:option("--as-of", "Reference date yyyy-mm-dd or dd/mm/yyyy.")
  reading(rep)

  local profile = p:command("profile", "Indicators of one province or zone.")
  profile:option("--data", "A registry: folder, .xlsx workbook, SQLite database or CSV file.")
  profile:option("--mapping", "The registry's headers and values (a JSON or CSV mapping file).")
  profile:option("--province", "A province (name or id).")
  profile:option("--zone", "A zone (name or id).")
  profile:option("--as-of", "Reference date yyyy-mm-dd or dd/mm/yyyy.")
  profile:option("--occupancy", "Occupancy basis.", "all"):choices({ "all", "operating" })
  reading(profile)

  local compare = p:command("compare", "Provinces or zones side by side.")
  compare:argument("entity", "Provinces or zones (names or ids)."):args("2+")
  compare:option("--data", "A registry: folder, .xlsx workbook, SQLite database or CSV file.")
  compare:option("--mapping", "The registry's headers and values (a JSON or CSV mapping file).")
  compare:option("--as-of", "Reference date yyyy-mm-dd or dd/mm/yyyy.")
  reading(compare)

  local agg = p:command("agg", "Group a table (CSV, .xlsx or SQLite) and aggregate it.")
  agg:argument("file", "CSV file, .xlsx workbook or SQLite database.")
  agg:option("--by", "Key columns, comma-separated.")
  agg:option("--sum", "Sum of a column; repeat for several."):count("*")
  agg:option("--mean", "Mean of a column; repeat for several."):count("*")
  agg:option("--median", "Median of a column; repeat for several."):count("*")
  agg:option("--min", "Minimum of a column; repeat for several."):count("*")
  agg:option("--max", "Maximum of a column; repeat for several."):count("*")
  agg:flag("--count", "Rows per group.")
  reading(agg)

  local describe = p:command("describe", "Summary of each column of a table (CSV, .xlsx or SQLite).")
  describe:argument("file", "CSV file, .xlsx workbook or SQLite database.")
  reading(describe)

  local sniff = p:command("sniff", "The conventions of a CSV file: separator, decimal mark, dates, encoding, header.")
  sniff:argument("file", "CSV file.")
  sniff:option("--input-locale", "auto, or vi (Vietnamese when the file leaves it open).", "auto")
    :choices({ "auto", "vi" })

  local import = p:command("import", "Check a registry, print every problem, write the normalized dataset folder.")
  import:argument("path", "A registry: folder, .xlsx workbook, SQLite database or CSV file.")
  import:option("--mapping", "The registry's headers and values (a JSON or CSV mapping file).")
  import:option("--out", "The dataset folder to write."):count(1)
  import:option("--province", "The province of zones made from project rows that name none.")
  import:flag("--force", "Replace a non-empty --out folder.")
  reading(import)
  return p
end

--- text of a frame in the chosen format
local function render(f, format)
  if format == "csv" then return f:to_csv() end
  if format == "json" then return f:to_json() end
  if format == "md" then return engine.format_markdown(f) end
  return engine.format_frame(f, nil, { all = true }) .. "\n"
end

local function fail(msg) error({ zonestat = msg }, 0) end

local function say(msg) io.stderr:write("zonestat: ", msg, "\n") end

-- reader options from the command line (nil when not given)
local function read_options(a)
  local o = {}
  if a.sep then o.sep = (a.sep == "tab" or a.sep == "\\t") and "\t" or a.sep end
  o.decimal = a.decimal
  if a.thousands then o.thousands = a.thousands == "none" and "" or a.thousands end
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

local function load_dataset(a, path)
  local o = read_options(a)
  o.locale = nil
  local ds, problems = dataset.load(path or a.data, { mapping = a.mapping, read = next(o) and o or nil,
    province = a.province_of_zones })
  if not ds then
    fail(l10n.text(a.locale, "cannot_load", path or a.data or dataset.default_dir()) .. "\n  " ..
      table.concat(problems, "\n  "))
  end
  for _, w in ipairs(ds.warnings) do say(l10n.text(a.locale, "warning", w)) end
  if path or a.data then
    for _, n in ipairs(ds.notes) do say(l10n.text(a.locale, "note", n)) end
  end
  return ds
end

local commands = {}

function commands.report(a, out)
  local ds = load_dataset(a)
  local opts = { provinces = #a.province > 0 and a.province or nil, as_of = as_of(a), locale = a.locale }
  local model, err = report.build(ds, opts)
  if not model then fail(err) end
  if a.format == "json" or a.format == "csv" then
    local cmp = indicators.compare(ds, model.provinces, { as_of = model.as_of })
    out(render(cmp, a.format))
  else
    out(report.markdown(model))
  end
  if a.html then
    local ok, werr = report.write(a.html, report.html(model))
    if not ok then fail(werr) end
    say(l10n.text(a.locale, "wrote", a.html))
  end
end

function commands.profile(a, out)
  if (a.province == nil) == (a.zone == nil) then fail(l10n.text(a.locale, "give_one")) end
  local ds = load_dataset(a)
  local p, err = indicators.profile(ds, a.province and { province = a.province } or { zone = a.zone },
    { as_of = as_of(a), occupancy = a.occupancy })
  if not p then fail(err) end
  if a.format == "table" then
    out(string.format("%s (%s), %s%s\n", p.name, p.entity, a.locale == "vi" and "đến " or "as of ", p.as_of))
    if p.synthetic then
      out(a.locale == "vi" and "Lưu ý: các dòng dự án là dữ liệu giả lập (synthetic).\n"
        or "Note: the project rows are synthetic.\n")
    end
    local rows = {}
    for row in p.frame:rows() do
      rows[#rows + 1] = { indicator = row.indicator, value = report.format_value(row.value, row.unit, a.locale),
        definition = row.definition }
    end
    out(render(engine.from_rows(rows, { "indicator", "value", "definition" }), "table"))
  else
    out(render(p.frame, a.format))
  end
end

function commands.compare(a, out)
  local ds = load_dataset(a)
  local f, err = indicators.compare(ds, a.entity, { as_of = as_of(a) })
  if not f then fail(err) end
  out(render(f, a.format))
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
  local result
  if a.by then
    local keys = {}
    for k in a.by:gmatch("[^,]+") do
      k = k:match("^%s*(.-)%s*$")
      if k ~= "" then keys[#keys + 1] = column(k) end
    end
    if #keys == 0 then fail(l10n.text(a.locale, "by_empty")) end
    result = f:group_by(table.unpack(keys)):agg(table.unpack(specs))
  else
    result = f:agg(table.unpack(specs))
  end
  out(render(result, a.format))
end

function commands.describe(a, out)
  out(render(read_table(a.file, a):describe(), a.format))
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
  out(render(engine.from_rows(rows, { "option", "value" }), a.format))
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

--- Run the command line.
-- @tparam {string,...} args the arguments (without the program name)
-- @tparam[opt] function out writes standard output (default io.write)
-- @treturn integer exit status: 0 on success, 1 on an error, 2 on a usage error
function M.main(args, out)
  out = out or function(s) io.stdout:write(s) end
  local p = parser()
  local ok, a = p:pparse(args)
  if not ok then
    io.stderr:write("zonestat: ", a, "\n", p:get_usage(), "\n")
    return 2
  end
  local done, err = pcall(commands[a.command], a, out)
  if not done then
    local msg = type(err) == "table" and err.zonestat or l10n.text(a.locale, "internal", tostring(err))
    io.stderr:write("zonestat: ", msg, "\n")
    return 1
  end
  return 0
end

return M
