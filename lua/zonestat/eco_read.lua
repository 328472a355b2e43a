--- Reading the tables of the eco module (criteria, evidence) as text with
-- the place of every cell, from CSV, JSON or `.xlsx`, and reading their
-- cells as values.
--
-- * CSV through `read_csv` as the dataset reads a registry
--   (zonestat.registry): every cell as text (`infer = false`), the
--   separator, decimal mark, thousands mark and date format sniffed, text
--   NFC; a cell's place is `file:line: column 'x'` with the physical line
--   (line breaks inside quoted fields counted).
-- * JSON through `read_json`: an array of objects (a place is
--   `file:line: column 'x'`, the line where the object starts) or an object
--   of arrays (`file: record N: column 'x'`).
-- * `.xlsx` through `read_xlsx`, a table per sheet (`file: sheet 'S':
--   cell C12`).
--
-- Headers are matched without case, diacritics or punctuation (`Target
-- year` is `target_year`), and the Vietnamese ones of `ALIASES` are known
-- (`Mã khu`, `Chỉ tiêu`, `Giá trị`, `Ngày`, `Nguồn`, ...); wholly empty
-- rows are left out.
-- @module zonestat.eco_read

local engine = require "zonestat.engine"
local cells = require "zonestat.cells"
local mapping = require "zonestat.mapping"
local registry = require "zonestat.registry"

local NA = engine.NA
local M = {}

--- The key of a header: folded, words joined by `_`.
-- @tparam string h
-- @treturn string
function M.key(h)
  return (mapping.key(h):gsub(" ", "_"))
end

--- Vietnamese headers of the evidence tables (their keys) → the columns.
M.ALIASES = { khu = "park", ma_khu = "park", chi_tieu = "indicator", ma_chi_tieu = "indicator", gia_tri = "value",
  loai = "kind", nam_muc_tieu = "target_year", ngay = "date", nguon = "source", trich_dan = "quote",
  ghi_chu = "note", doanh_nghiep = "enterprise", gia_lap = "synthetic", tieu_chi = "criterion" }

-- the frame's columns renamed to their keys; problems for two headers with one key
local function keyed(f, label, problems)
  local rename, seen = {}, {}
  for _, name in ipairs(f:names()) do
    local k = M.key(name)
    k = M.ALIASES[k] or k
    if k == "" then k = name end
    if seen[k] then
      problems[#problems + 1] = string.format("%s: columns '%s' and '%s' are the same column '%s'", label, seen[k],
        name, k)
    end
    seen[k] = name
    if k ~= name then rename[name] = k end
  end
  if next(rename) and #problems == 0 then return f:rename(rename) end
  return f
end

-- the row numbers of a frame that hold a value
local function filled_rows(f)
  local cols = {}
  for _, name in ipairs(f:names()) do cols[#cols + 1] = f:column(name) end
  local rows = {}
  for i = 1, f:nrow() do
    for _, c in ipairs(cols) do
      local v = c[i]
      if v ~= nil and v:match("%S") then rows[#rows + 1] = i break end
    end
  end
  return rows
end

local function csv_table(path, problems)
  local f, info = engine.read_csv(path, { infer = false, sniff = true })
  if not f then problems[#problems + 1] = info return nil end
  local nf, err = f:nfc()
  if not nf then problems[#problems + 1] = path .. ": " .. err return nil end
  local lines = registry.row_lines(nf)
  local t = { frame = keyed(nf, path, problems), label = path, kind = "csv", headers = nf:names(),
    conv = { decimal = info.decimal or ".", thousands = info.thousands or "", date_format = info.date_format } }
  local headers = {}
  for j, name in ipairs(t.frame:names()) do headers[name] = t.headers[j] end
  t.where = function(i, col)
    if col then return string.format("%s:%d: column '%s'", path, lines[i] or i + 1, headers[col] or col) end
    return string.format("%s:%d", path, lines[i] or i + 1)
  end
  return t
end

-- the line where each top-level object of a JSON array starts
local function json_record_lines(text)
  local lines, line, depth, i, n = {}, 1, 0, 1, #text
  while i <= n do
    local c = text:sub(i, i)
    if c == "\n" then
      line = line + 1
    elseif c == '"' then
      i = i + 1
      while i <= n do
        local d = text:sub(i, i)
        if d == "\\" then i = i + 1
        elseif d == '"' then break
        elseif d == "\n" then line = line + 1 end
        i = i + 1
      end
    elseif c == "[" or c == "{" then
      if c == "{" and depth == 1 then lines[#lines + 1] = line end
      depth = depth + 1
    elseif c == "]" or c == "}" then
      depth = depth - 1
    end
    i = i + 1
  end
  return lines
end

local function text_of(v)
  if v == nil then return NA end
  local t = type(v)
  if t == "string" then return v end
  if t == "boolean" then return v and "true" or "false" end
  if math.type(v) == "integer" then return tostring(v) end
  return engine.format_number(v)
end

local function json_table(path, problems)
  local f, err = engine.read_json(path)
  if not f then
    if err:find("mixes", 1, true) then
      err = err .. " (write every value of that column as text: \"0.4\", \"yes\")"
    end
    problems[#problems + 1] = err
    return nil
  end
  local fh = io.open(path, "rb")
  local text = fh and fh:read("a") or ""
  if fh then fh:close() end
  local first = text:match("^\239\187\191?%s*(.)") or text:match("^%s*(.)")
  local lines = first == "[" and json_record_lines(text) or nil
  local cols, names = {}, f:names()
  for _, name in ipairs(names) do
    local out, c = {}, f:column(name)
    for i = 1, f:nrow() do out[i] = text_of(c[i]) end
    cols[name] = engine.column(out, "str")
  end
  local tf = engine.frame(cols, names)
  local nf, nerr = tf:nfc()
  if not nf then problems[#problems + 1] = path .. ": " .. nerr return nil end
  local t = { frame = keyed(nf, path, problems), label = path, kind = "json", headers = names,
    conv = { decimal = ".", thousands = "" } }
  local headers = {}
  for j, name in ipairs(t.frame:names()) do headers[name] = names[j] end
  t.where = function(i, col)
    local place = lines and lines[i] and string.format("%s:%d", path, lines[i]) or
      string.format("%s: record %d", path, i)
    if col then return string.format("%s: column '%s'", place, headers[col] or col) end
    return place
  end
  return t
end

local function xlsx_tables(path, problems, notes)
  local sheets, err = engine.xlsx_sheets(path)
  if not sheets then problems[#problems + 1] = err return {} end
  local out = {}
  for row in sheets:rows() do
    local f, rerr = engine.read_xlsx(path, { sheet = row.name, infer = false })
    local nf, nerr
    if f then nf, nerr = f:nfc() end
    if not f then
      problems[#problems + 1] = rerr
    elseif not nf then
      problems[#problems + 1] = string.format("%s: sheet '%s': %s", path, row.name, nerr)
    else
      for _, w in ipairs(rerr) do notes[#notes + 1] = w end
      local sheet = row.name
      local label = string.format("%s: sheet '%s'", path, sheet)
      local t = { frame = keyed(nf, label, problems), label = label, kind = "xlsx", sheet = sheet,
        headers = nf:names(), conv = { decimal = ".", thousands = "" } }
      local letters = {}
      for j, name in ipairs(t.frame:names()) do letters[name] = registry.column_letters(j) end
      t.where = function(i, col)
        if col then return string.format("%s: cell %s%d", label, letters[col] or "?", i + 1) end
        return string.format("%s: row %d", label, i + 1)
      end
      out[#out + 1] = t
    end
  end
  return out
end

--- Read the tables of a file: one for CSV and JSON, one per sheet of an
-- `.xlsx` workbook.  Each table is `{frame, label, kind, sheet, headers,
-- conv, where, rows}`: `frame` has every column as text under its key,
-- `where(i [, col])` the place of row `i` (and of its cell in column
-- `col`), `rows` the rows that hold a value, `conv` the conventions of
-- the numbers and dates written as text.
-- @tparam string path
-- @return[1] {table,...} the tables
-- @return[1] {string,...} notes (the workbook reader's warnings)
-- @return[2] nil
-- @treturn[2] {string,...} every problem
function M.tables(path)
  local kind, kerr = registry.kind(path)
  if not kind then return nil, { kerr } end
  local problems, notes, out = {}, {}, {}
  if kind == "folder" then return nil, { path .. ": is a folder" } end
  if kind == "sqlite" then
    return nil, { path .. ": a SQLite database: save the tables as CSV files or as sheets of an .xlsx workbook" }
  end
  if kind == "xlsx" then
    out = xlsx_tables(path, problems, notes)
  else
    local fh = io.open(path, "rb")
    local head = fh and fh:read(64) or ""
    if fh then fh:close() end
    local first = head:gsub("^\239\187\191", ""):match("^%s*(.)")
    local t
    if path:lower():match("%.json$") or first == "[" or first == "{" then
      t = json_table(path, problems)
    else
      t = csv_table(path, problems)
    end
    out[1] = t
  end
  if #problems > 0 then return nil, problems end
  for _, t in ipairs(out) do t.rows = filled_rows(t.frame) end
  return out, notes
end

--- The files of a folder that may hold tables (`.csv`, `.json`, `.xlsx`), sorted.
-- @tparam string dir
-- @return[1] {string,...} paths
-- @return[2] nil
-- @treturn[2] string "dir: message"
function M.folder(dir)
  local names, err = engine.list_dir(dir)
  if not names then return nil, err end
  local out = {}
  for _, n in ipairs(names) do
    local l = n:lower()
    if (l:match("%.csv$") or l:match("%.json$") or l:match("%.xlsx$")) and not n:match("^[~.]") then
      out[#out + 1] = dir .. "/" .. n
    end
  end
  return out
end

-- ---- cells as values ------------------------------------------------------------------

--- A cell's text, trimmed; nil when empty or NA.
-- @param v a cell of a text frame
-- @treturn ?string
function M.text(v)
  if v == nil or v == NA then return nil end
  v = v:gsub("^%s+", ""):gsub("%s+$", "")
  if v == "" then return nil end
  return v
end

--- A yes/no cell: yes, no, true, false, 1, 0, có, không, x (any case,
-- with or without diacritics).
-- @tparam string s
-- @return[1] boolean
-- @return[2] nil
-- @treturn[2] string what is wrong
function M.bool(s)
  local k = mapping.key(s)
  if k == "yes" or k == "true" or k == "1" or k == "co" or k == "x" then return true end
  if k == "no" or k == "false" or k == "0" or k == "khong" then return false end
  return nil, string.format("'%s' must be yes or no (có / không)", s)
end

--- A number under a table's conventions.
-- @tparam string s
-- @tparam table conv `{decimal, thousands}`
-- @return[1] number
-- @return[2] nil
-- @treturn[2] string what is wrong
function M.number(s, conv)
  return cells.number(s, conv)
end

local function last_day(y, m)
  local dim = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  if m == 2 and (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) then return 29 end
  return dim[m]
end

--- A date: `yyyy-mm-dd`, the table's date format (default dd/mm/yyyy), or
-- only a month (`yyyy-mm`, `mm/yyyy`: its last day) or a year (`yyyy`: 31
-- December), as data/vn records dates known only to the month or year.
-- @tparam string s
-- @tparam table conv `{date_format}`
-- @return[1] string ISO date
-- @return[2] nil
-- @treturn[2] string what is wrong
function M.date(s, conv)
  local d = cells.date(s, conv.date_format or "%d/%m/%Y") or cells.date(s, "%d/%m/%Y")
  if d then return d end
  local y, m = s:match("^(%d%d%d%d)-(%d%d?)$")
  if not y then m, y = s:match("^(%d%d?)/(%d%d%d%d)$") end
  if y then
    y, m = tonumber(y), tonumber(m)
    if m >= 1 and m <= 12 then return string.format("%04d-%02d-%02d", y, m, last_day(y, m)) end
  end
  y = s:match("^(%d%d%d%d)$")
  if y then return y .. "-12-31" end
  return nil, string.format("'%s' is not a date (write yyyy-mm-dd, dd/mm/yyyy, yyyy-mm or yyyy)", s)
end

--- The rows of a table (from `tables`) as Lua tables of trimmed text (nil
-- for empty), each with `_i` its row number.
-- @tparam table t a table of `tables`
-- @treturn {table,...}
function M.rows(t)
  local out, cols = {}, {}
  local names = t.frame:names()
  for _, n in ipairs(names) do cols[n] = t.frame:column(n) end
  for _, i in ipairs(t.rows) do
    local r = { _i = i }
    for _, n in ipairs(names) do r[n] = M.text(cols[n][i]) end
    out[#out + 1] = r
  end
  return out
end

--- Whether a table has every column of `list`; each missing one is added to
-- `problems` ("label: no column 'c' (columns: ...)").
-- @tparam table t a table of `tables`
-- @tparam {string,...} list
-- @tparam {string,...} problems
-- @treturn boolean
function M.has_columns(t, list, problems)
  local ok = true
  for _, c in ipairs(list) do
    if not t.frame:has(c) then
      problems[#problems + 1] = string.format("%s: no column '%s' (columns: %s)", t.label, c,
        table.concat(t.headers, ", "))
      ok = false
    end
  end
  return ok
end

return M
