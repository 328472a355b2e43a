--- Reading a registry as it comes: a folder of CSV files, one `.xlsx`
-- workbook (a sheet per table), a SQLite database (a table per table) or a
-- single CSV file (the projects), told apart by `stat` and the file's
-- first bytes (`PK\3\4`, `SQLite format 3\0`), never by its extension.
--
-- Every table is read as text with the conventions its numbers and dates
-- are written in (sniffed for CSV; Vietnamese for text cells of a
-- workbook, whose numeric cells are written with a decimal comma; the
-- defaults for SQLite, whose values are typed), and knows the place of each
-- of its cells for messages: `file:line: column 'X'`, `file: sheet 'S':
-- cell C12`, `file: table 't': row N: column 'X'`.
-- @module zonestat.registry

local engine = require "zonestat.engine"
local mapping = require "zonestat.mapping"

local M = {}

local VI = { decimal = ",", thousands = ".", date_format = "%d/%m/%Y" }

--- What a path holds: "folder", "xlsx", "sqlite" or "csv".
-- @tparam string path
-- @return[1] string the kind
-- @return[2] nil
-- @treturn[2] string "path: message"
function M.kind(path)
  local info, err = engine.path_info(path)
  if not info then return nil, err end
  if info.kind == "directory" then return "folder" end
  local fh, oerr = io.open(path, "rb")
  if not fh then return nil, oerr end
  local head = fh:read(16) or ""
  fh:close()
  if head:sub(1, 4) == "PK\3\4" then return "xlsx" end
  if head == "SQLite format 3\0" then return "sqlite" end
  if head:sub(1, 8) == "\208\207\17\224\161\177\26\225" then
    return nil, path .. ": an Excel 97-2003 .xls file or an encrypted workbook: save it as .xlsx without a password"
  end
  return "csv"
end

--- The physical line of each data row of a text frame read from CSV: 1 +
-- header + line breaks inside quoted fields (for messages naming file:line).
-- @tparam Frame f a frame of str columns
-- @treturn {integer,...} the line of each row
function M.row_lines(f)
  local lines, line = {}, 2
  local cols = {}
  for _, name in ipairs(f:names()) do cols[#cols + 1] = f:column(name) end
  for i = 1, f:nrow() do
    lines[i] = line
    local extra = 0
    for _, c in ipairs(cols) do
      local v = c[i]
      if v then
        local _, k = v:gsub("\r?\n", "")
        local _, cr = v:gsub("\r[^\n]", "")
        extra = extra + k + cr
      end
    end
    line = line + 1 + extra
  end
  return lines
end

-- every column as text (SQLite's typed columns)
local function as_text(f)
  local casts = {}
  for j, t in ipairs(f:types()) do
    if t ~= "str" then casts[f:names()[j]] = "str" end
  end
  return next(casts) and f:cast(casts) or f
end

local function merged(base, extra)
  local o = {}
  for k, v in pairs(base) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

--- The spreadsheet letters of column number j (1 → A, 27 → AA).
-- @tparam integer j
-- @treturn string
function M.column_letters(j)
  local s = ""
  while j > 0 do
    local r = (j - 1) % 26
    s = string.char(65 + r) .. s
    j = (j - 1 - r) // 26
  end
  return s
end

-- a table read from a CSV file
local function csv_table(path, label, read_opts, notes)
  local f, info = engine.read_csv(path, merged({ infer = false, sniff = true }, read_opts))
  if not f then return nil, info end
  local nf, err = f:nfc()
  if not nf then return nil, path .. ": " .. err end
  f = nf
  if info.assumed and #info.assumed > 0 then
    notes[#notes + 1] = label .. ": " .. table.concat(info.assumed, "; ")
  end
  local lines = M.row_lines(f)
  return {
    frame = f, label = label,
    conv = { decimal = info.decimal or ".", thousands = info.thousands or "", date_format = info.date_format },
    where = function(i, header)
      return string.format("%s:%d: column '%s'", path, lines[i] or i + 1, header)
    end,
    row = function(i) return "line " .. (lines[i] or i + 1) end,
  }
end

local function folder(path, map, read_opts, notes, problems)
  local names, err = engine.list_dir(path)
  if not names then return nil, { err } end
  local tables = {}
  for _, file in ipairs(names) do
    if file:lower():match("%.csv$") then
      local tname = map:table_for(file)
      if not tname then
        notes[#notes + 1] = path .. "/" .. file .. ": not a table of the dataset (ignored; a mapping can name it)"
      elseif tables[tname] then
        problems[#problems + 1] = string.format("%s: both %s and %s are the %s table", path, tables[tname].file, file,
          tname)
      else
        local t, terr = csv_table(path .. "/" .. file, path .. "/" .. file, read_opts, notes)
        if t then
          t.file = file
          tables[tname] = t
        else
          problems[#problems + 1] = terr
        end
      end
    end
  end
  return tables
end

-- The sheet row of a frame's first row and the column number of its first
-- column under read_xlsx options (range "A3:K200", "B:F" or "3:200", skip,
-- header rows); read_xlsx keeps empty rows, so frame row i is sheet row
-- first + i - 1 (with `columns` the letters may not follow: none is given here).
local function sheet_origin(opts)
  local row, col = 1, 1
  local r = opts.range
  if type(r) == "string" then
    local letters, digits = r:match("^(%a*)(%d*)")
    if letters ~= "" then
      col = 0
      for ch in letters:upper():gmatch(".") do col = col * 26 + ch:byte() - 64 end
    end
    if digits ~= "" then row = tonumber(digits) end
  end
  local header = opts.header
  local hrows = header == false and 0 or (math.type(header) == "integer" and header or 1)
  return row + (opts.skip or 0) + hrows, col
end

local function workbook(path, map, read_opts, notes, problems)
  local sheets, err = engine.xlsx_sheets(path)
  if not sheets then return nil, { err } end
  local tables = {}
  for row in sheets:rows() do
    local tname = map:table_for(row.name)
    if not tname then
      notes[#notes + 1] = string.format("%s: sheet '%s' is not a table of the dataset (ignored)", path, row.name)
    elseif tables[tname] then
      problems[#problems + 1] = string.format("%s: sheets '%s' and '%s' are both the %s table", path,
        tables[tname].sheet, row.name, tname)
    else
      local opts = merged(merged(VI, { sheet = row.name, infer = false }), read_opts)
      local f, rerr = engine.read_xlsx(path, opts)
      local nf, nerr
      if f then nf, nerr = f:nfc() end
      if not nf then
        problems[#problems + 1] = rerr or (path .. ": " .. nerr)
      else
        f = nf
        for _, w in ipairs(rerr) do notes[#notes + 1] = w end
        local sheet = row.name
        local first_row, first_col = sheet_origin(opts)
        local letters = {}
        for j, name in ipairs(f:names()) do letters[name] = M.column_letters(first_col + j - 1) end
        tables[tname] = {
          frame = f, label = string.format("%s: sheet '%s'", path, sheet), sheet = sheet,
          conv = { decimal = opts.decimal, thousands = opts.thousands, date_format = opts.date_format },
          where = function(i, header)
            return string.format("%s: sheet '%s': cell %s%d", path, sheet, letters[header] or "?", first_row + i - 1)
          end,
          row = function(i) return "row " .. (first_row + i - 1) end,
        }
      end
    end
  end
  return tables
end

local function database(path, map, notes, problems)
  local list, err = engine.read_sqlite(path,
    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
  if not list then return nil, { err } end
  local tables = {}
  for row in list:rows() do
    local tname = map:table_for(row.name)
    if not tname then
      notes[#notes + 1] = string.format("%s: table '%s' is not a table of the dataset (ignored)", path, row.name)
    elseif tables[tname] then
      problems[#problems + 1] = string.format("%s: tables '%s' and '%s' are both the %s table", path,
        tables[tname].db_table, row.name, tname)
    else
      local f, rerr = engine.read_sqlite(path, row.name)
      if not f then
        problems[#problems + 1] = rerr
      else
        local name = row.name
        tables[tname] = {
          frame = as_text(f), label = string.format("%s: table '%s'", path, name), db_table = name,
          conv = { decimal = ".", thousands = "", date_format = "%Y-%m-%d" },
          where = function(i, header)
            return string.format("%s: table '%s': row %d: column '%s'", path, name, i, header)
          end,
          row = function(i) return "row " .. i end,
        }
      end
    end
  end
  return tables
end

--- Read the tables of a registry.
-- @tparam string path a folder, workbook, database or CSV file
-- @tparam table map a mapping (zonestat.mapping)
-- @tparam[opt] table read_opts reader options passed through (sep, decimal, sheet options, ...)
-- @return[1] table canonical table name → {frame (text), label, conv, where(i, header)}
-- @return[1] {string,...} notes (assumptions, ignored files)
-- @return[1] string the kind of the registry
-- @return[2] nil
-- @treturn[2] {string,...} every problem
function M.read(path, map, read_opts)
  local kind, err = M.kind(path)
  if not kind then return nil, { err } end
  local notes, problems = {}, {}
  local tables, terr
  if kind == "folder" then tables, terr = folder(path, map, read_opts, notes, problems)
  elseif kind == "xlsx" then tables, terr = workbook(path, map, read_opts, notes, problems)
  elseif kind == "sqlite" then tables, terr = database(path, map, notes, problems)
  else
    local t, cerr = csv_table(path, path, read_opts, notes)
    if t then tables = { projects = t } else problems[#problems + 1] = cerr end
  end
  if terr then return nil, terr end
  if #problems > 0 then return nil, problems end
  return tables, notes, kind
end

M.key = mapping.key

return M
