--- The `zonestat` command.
--
--     zonestat report   [--data DIR] [--province P]... [--html FILE] [--as-of DATE]
--     zonestat profile  --province P | --zone Z [--as-of DATE] [--occupancy all|operating]
--     zonestat compare  P1 P2 [P3...] [--as-of DATE]
--     zonestat agg      FILE --by k1,k2 [--sum c]... [--mean c]... [--count]
--     zonestat describe FILE
--
-- Every command takes `--locale vi|en` and `--format table|csv|json|md`
-- and `--help`.  Errors go to stderr with a non-zero exit status.
-- @module zonestat.cli

local argparse = require "argparse"
local engine = require "zonestat.engine"
local dataset = require "zonestat.dataset"
local indicators = require "zonestat.indicators"
local report = require "zonestat.report"

local M = {}

local function parser()
  local p = argparse("zonestat", "Statistics of economic zones (KKT) and industrial parks (KCN).")
    :epilog("Data: the bundled data/vn (synthetic project rows, sourced published figures) unless --data is given.")
  p:command_target("command")
  p:option("--locale", "Number and text locale.", "vi"):choices({ "vi", "en" })
  p:option("--format", "Output format.", "table"):choices({ "table", "csv", "json", "md" })

  local rep = p:command("report", "Compare provinces: headline figures, growth, rankings, sources.")
  rep:option("--data", "Dataset folder.")
  rep:option("--province", "A province (name or id); repeat for several."):count("*")
  rep:option("--html", "Also write the HTML report to this file.")
  rep:option("--as-of", "Reference date yyyy-mm-dd.")

  local profile = p:command("profile", "Indicators of one province or zone.")
  profile:option("--data", "Dataset folder.")
  profile:option("--province", "A province (name or id).")
  profile:option("--zone", "A zone (name or id).")
  profile:option("--as-of", "Reference date yyyy-mm-dd.")
  profile:option("--occupancy", "Occupancy basis.", "all"):choices({ "all", "operating" })

  local compare = p:command("compare", "Provinces or zones side by side.")
  compare:argument("entity", "Provinces or zones (names or ids)."):args("2+")
  compare:option("--data", "Dataset folder.")
  compare:option("--as-of", "Reference date yyyy-mm-dd.")

  local agg = p:command("agg", "Group a CSV file and aggregate it.")
  agg:argument("file", "CSV file.")
  agg:option("--by", "Key columns, comma-separated.")
  agg:option("--sum", "Sum of a column; repeat for several."):count("*")
  agg:option("--mean", "Mean of a column; repeat for several."):count("*")
  agg:option("--median", "Median of a column; repeat for several."):count("*")
  agg:option("--min", "Minimum of a column; repeat for several."):count("*")
  agg:option("--max", "Maximum of a column; repeat for several."):count("*")
  agg:flag("--count", "Rows per group.")
  agg:option("--sep", "Field separator of the file.", ",")

  local describe = p:command("describe", "Summary of each column of a CSV file.")
  describe:argument("file", "CSV file.")
  describe:option("--sep", "Field separator of the file.", ",")
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

local function load_dataset(dir)
  local ds, problems = dataset.load(dir)
  if not ds then fail("cannot load the dataset:\n  " .. table.concat(problems, "\n  ")) end
  for _, w in ipairs(ds.warnings) do io.stderr:write("zonestat: warning: ", w, "\n") end
  return ds
end

local function read_csv(file, sep)
  local f, err = engine.read_csv(file, { sep = sep })
  if not f then fail(err) end
  return f
end

local commands = {}

function commands.report(a, out)
  local ds = load_dataset(a.data)
  local opts = { provinces = #a.province > 0 and a.province or nil, as_of = a.as_of, locale = a.locale }
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
    io.stderr:write("zonestat: wrote ", a.html, "\n")
  end
end

function commands.profile(a, out)
  if (a.province == nil) == (a.zone == nil) then fail("profile: give --province or --zone") end
  local ds = load_dataset(a.data)
  local p, err = indicators.profile(ds, a.province and { province = a.province } or { zone = a.zone },
    { as_of = a.as_of, occupancy = a.occupancy })
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
  local ds = load_dataset(a.data)
  local f, err = indicators.compare(ds, a.entity, { as_of = a.as_of })
  if not f then fail(err) end
  out(render(f, a.format))
end

function commands.agg(a, out)
  local f = read_csv(a.file, a.sep)
  local specs = {}
  if a.count then specs[#specs + 1] = engine.count() end
  for _, op in ipairs({ "sum", "mean", "median", "min", "max" }) do
    for _, c in ipairs(a[op]) do
      if not f:has(c) then fail(string.format("%s: no column named '%s'", a.file, c)) end
      specs[#specs + 1] = engine[op](c)
    end
  end
  if #specs == 0 then fail("agg: give at least one of --count, --sum, --mean, --median, --min, --max") end
  local result
  if a.by then
    local keys = {}
    for k in a.by:gmatch("[^,]+") do
      if not f:has(k) then fail(string.format("%s: no column named '%s'", a.file, k)) end
      keys[#keys + 1] = k
    end
    result = f:group_by(table.unpack(keys)):agg(table.unpack(specs))
  else
    result = f:agg(table.unpack(specs))
  end
  out(render(result, a.format))
end

function commands.describe(a, out)
  out(render(read_csv(a.file, a.sep):describe(), a.format))
end

--- Run the command line.
-- @tparam {string,...} args the arguments (without the program name)
-- @tparam[opt] function out writes standard output (default io.write)
-- @treturn integer exit status: 0 on success, 1 on an error
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
    local msg = type(err) == "table" and err.zonestat or ("internal error: " .. tostring(err))
    io.stderr:write("zonestat: ", msg, "\n")
    return 1
  end
  return 0
end

return M
