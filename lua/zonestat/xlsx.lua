--- Excel workbooks (.xlsx, Office Open XML): `zs.read_xlsx`,
-- `zs.xlsx_sheets`, `zs.write_xlsx` and `f:write_xlsx`.
--
-- The reader streams the workbook's parts through libzip and expat and
-- builds the columns in C (xlsx_read.c); the writer goes through
-- libxlsxwriter, to a temporary file renamed into place (xlsx_write.c).
-- This module names the calls and checks what reaches them; README
-- "Input and output" lists the options and the round-trip guarantees.
-- @module zonestat.xlsx

local core = require "zonestat.core"
local check = require "zonestat.check"
require "zonestat.frame"

local M = {}

local function is_string(v) return type(v) == "string" end
local function is_count(v) return math.type(v) == "integer" and v >= 0 end
local function is_boolean(v) return type(v) == "boolean" end
local function is_table(v) return type(v) == "table" end

local function is_names(v)
  if type(v) ~= "table" then return false end
  for k, name in pairs(v) do
    if math.type(k) ~= "integer" or type(name) ~= "string" then return false end
  end
  return true
end

local function is_na(v)
  if type(v) == "string" then return true end
  if type(v) ~= "table" then return false end
  for _, token in pairs(v) do
    if type(token) ~= "string" then return false end
  end
  return true
end

local READ_OPTIONS = {
  sheet = { function(v) return type(v) == "string" or (math.type(v) == "integer" and v >= 1) end,
    "a sheet name or a 1-based sheet index" },
  range = { is_string, 'a cell range such as "A3:K200"' },
  header = { function(v) return type(v) == "boolean" or is_count(v) end,
    "a boolean or the number of header rows" },
  skip = { is_count, "a non-negative integer" },
  nrows = { is_count, "a non-negative integer" },
  columns = { is_names, "an array of column names" },
  types = { is_table, "a table of column name = type" },
  na = { is_na, "a string or an array of strings" },
  infer = { is_boolean, "a boolean" },
  decimal = { function(v) return v == "." or v == "," end, '"." or ","' },
  thousands = { function(v) return v == "." or v == "," or v == "" end, '".", "," or "" (none)' },
  date_format = { is_string, 'a date format such as "%d/%m/%Y"' },
}

--- Read one sheet of an .xlsx workbook into a frame.
-- Options (README "Input and output"): `sheet` (a name or a 1-based index;
-- default the first visible sheet), `range` (`"A3:K200"`, `"B:F"`),
-- `header` (1; `n` joins n header rows with `" / "`; `false` or 0 names the
-- columns V1..Vn), `skip` (rows skipped from the top of the sheet or range),
-- `nrows`, `columns` (read only these, in this order), `types = {col = type}`,
-- `na` (text tokens read as NA; default `{"", "NA"}`), `infer` (false: every
-- column str), and `decimal`, `thousands`, `date_format`, which make text
-- cells that are numbers or dates in those conventions be read as such.
-- @tparam string path
-- @tparam[opt] table opts
-- @return[1] the frame
-- @treturn[1] {string,...} warnings (formula cells without a computed value, dates that never were),
--   also sent to Lua's `warn`
-- @return[2] nil
-- @treturn[2] string "path: sheet 'S': cell C12: message", or "path: message"
-- @usage local f = assert(zs.read_xlsx("kcn.xlsx", {sheet = "2023", header = 2}))
function M.read_xlsx(path, opts)
  check.arg(type(path) == "string", "read_xlsx", "path", "must be a string, got " .. type(path))
  opts = check.options("read_xlsx", opts, READ_OPTIONS)
  return check.call("read_xlsx", core.read_xlsx, path, opts)
end

--- The sheets of an .xlsx workbook, in workbook order.
-- @tparam string path
-- @return[1] a frame: `index` (int), `name`, `state` ("visible", "hidden" or
--   "veryHidden") and `dimension` (the used range the sheet declares, such as
--   "A1:K205", or NA)
-- @return[2] nil
-- @treturn[2] string "path: message"
function M.xlsx_sheets(path)
  check.arg(type(path) == "string", "xlsx_sheets", "path", "must be a string, got " .. type(path))
  return check.call("xlsx_sheets", core.xlsx_sheets, path)
end

local function is_formats(v)
  if type(v) ~= "table" then return false end
  for k, fmt in pairs(v) do
    if type(k) ~= "string" or type(fmt) ~= "string" then return false end
  end
  return true
end

local WRITE_OPTIONS = {
  sheet = { is_string, "a sheet name" },
  formats = { is_formats, 'a table of column name = number format, such as {capital = "#,##0"}' },
  header = { is_boolean, "a boolean" },
}

-- one sheet's description for the C writer, checked
local function sheet_spec(fname, s, i)
  local what = "sheets[" .. i .. "]"
  if type(s) ~= "table" then check.arg(false, fname, what, "must be a table {name =, frame =}", 1) end
  for k in pairs(s) do
    if k ~= "name" and k ~= "frame" and k ~= "formats" and k ~= "header" then
      check.fail(fname, what .. ": unknown field '" .. tostring(k) .. "'", 1)
    end
  end
  if type(s.name) ~= "string" then check.arg(false, fname, what .. ".name", "must be a string", 1) end
  check.frame(fname, s.frame, what .. ".frame", 1)
  if s.formats ~= nil and not is_formats(s.formats) then
    check.arg(false, fname, what .. ".formats", "must be a table of column name = number format", 1)
  end
  if s.header ~= nil and type(s.header) ~= "boolean" then check.arg(false, fname, what .. ".header", "must be a boolean", 1) end
  for col in pairs(s.formats or {}) do
    if not s.frame:has(col) then check.fail(fname, what .. ".formats: no column named '" .. col .. "'", 1) end
  end
  return { name = s.name, frame = s.frame, formats = s.formats or {}, header = s.header ~= false }
end

--- Write frames to an .xlsx workbook, atomically (a temporary file in the
-- target's folder, renamed into place; nothing is left behind on failure).
-- Called as a frame method, `f:write_xlsx(path [, opts])` writes one sheet
-- (opts: `sheet` name, default "Sheet1"; `formats = {col = "#,##0"}`;
-- `header`, default true); as `zs.write_xlsx(path, sheets)` it writes one
-- sheet per entry of `sheets = {{name = "S", frame = f [, formats =]
-- [, header =]}, ...}`.  Numbers are numbers, dates date serials shown
-- dd/mm/yyyy, booleans booleans, text strings, NA blank cells; the header
-- row is bold and frozen; column widths follow the content.
-- @param f_or_path the frame (method call) or the path
-- @param path_or_sheets the path (method call) or the array of sheets
-- @tparam[opt] table opts (method call only)
-- @return[1] true
-- @return[2] nil
-- @treturn[2] string "path: message" (an int beyond 2^53, a date Excel cannot
--   show, text too long for a cell, an I/O error)
-- @usage p:write_xlsx("out/projects.xlsx", {sheet = "Dự án", formats = {capital = "#,##0"}})
function M.write_xlsx(f_or_path, path_or_sheets, opts)
  local path, sheets
  if core.type(f_or_path) == "frame" then
    path = path_or_sheets
    check.arg(type(path) == "string", "write_xlsx", "path", "must be a string, got " .. type(path))
    opts = check.options("write_xlsx", opts, WRITE_OPTIONS)
    sheets = { sheet_spec("write_xlsx", { name = opts.sheet or "Sheet1", frame = f_or_path, formats = opts.formats,
      header = opts.header }, 1) }
  else
    path = f_or_path
    check.arg(type(path) == "string", "write_xlsx", 1, "must be a frame or a path, got " .. (core.type(path) or type(path)))
    check.arg(type(path_or_sheets) == "table" and #path_or_sheets > 0, "write_xlsx", "sheets",
      "must be a non-empty array of {name =, frame =}")
    check.arg(opts == nil, "write_xlsx", 3, "is not used: give each sheet's options in its table")
    sheets = {}
    for i, s in ipairs(path_or_sheets) do sheets[i] = sheet_spec("write_xlsx", s, i) end
  end
  return check.call("write_xlsx", core.write_xlsx, path, sheets)
end

return M
