--- Printing frames and columns in the REPL: an aligned table bounded by
-- the terminal width, with column names and types, the head and tail of long
-- frames and the row count.  Alignment uses display width, so Vietnamese
-- text (precomposed or with combining marks) and wide characters line up.
-- @module zonestat.print

local core = require "zonestat.core"
local check = require "zonestat.check"

local F, C = core.frame_accessors, core.column_accessors
local M = {}

local HEAD, TAIL, SHORT = 10, 5, 20 -- frames up to SHORT rows print whole
local MAX_CELL = 32                 -- widest cell, in terminal columns

--- Group digits of an integer's text in threes: 1234567 -> 1,234,567.
local function group_digits(s)
  local sign, digits = s:match("^(-?)(%d+)$")
  if not digits then return s end
  local out = digits:reverse():gsub("(%d%d%d)", "%1,"):reverse()
  return sign .. out:gsub("^,", "")
end

--- Decimals needed to show x with 7 significant digits (0..6).
local function decimals_needed(x)
  if x == 0 or x ~= x or math.abs(x) >= 1e6 or x == math.huge or x == -math.huge then return 0 end
  local s = string.format("%.7g", x)
  if s:find("e") then return 6 end
  local frac = s:match("%.(%d+)$")
  return frac and #frac or 0
end

--- Text of the cells of a float column: a common number of decimals so
-- the points line up; when magnitudes differ widely (capital beside
-- ratios), each value with 7 significant digits (large ones in full).
local function float_cells(values)
  local d, sci, big, small = 0, false, false, false
  for _, x in ipairs(values) do
    local a = math.abs(x)
    if a ~= math.huge then
      if a >= 1e15 or (a > 0 and a < 1e-4) then sci = true end
      if a >= 1e6 then big = true end
      if a > 0 and a < 1 then small = true end
      d = math.max(d, decimals_needed(x))
    end
  end
  if d == 0 then d = 1 end
  local out = {}
  for i, x in ipairs(values) do
    if x == math.huge then out[i] = "Inf"
    elseif x == -math.huge then out[i] = "-Inf"
    elseif sci then out[i] = string.format("%.6g", x)
    elseif big and small then
      out[i] = math.abs(x) >= 1e5 and string.format("%.0f", x) or string.format("%.7g", x)
    else out[i] = string.format("%." .. d .. "f", x) end
  end
  return out
end

local function escape(s)
  return (s:gsub("[%c]", function(c)
    if c == "\n" then return "\\n" elseif c == "\r" then return "\\r" elseif c == "\t" then return "\\t" end
    return string.format("\\x%02x", c:byte())
  end))
end

local function fit(s, width)
  if core.display_width(s) <= width then return s end
  local cut = core.truncate_width(s, width - 1)
  return cut .. "…"
end

--- Rows to show: all, or the first HEAD and last TAIL (0 marks the gap).
local function shown_rows(n, all)
  local rows = {}
  if n <= SHORT or all then
    for i = 1, n do rows[#rows + 1] = i end
  else
    for i = 1, HEAD do rows[#rows + 1] = i end
    rows[#rows + 1] = 0
    for i = n - TAIL + 1, n do rows[#rows + 1] = i end
  end
  return rows
end

--- Cells of one column for the shown rows, and whether to right-align.
local function column_cells(col, rows)
  local t = C.type(col)
  local values = {}
  for k, i in ipairs(rows) do
    if i > 0 then values[k] = col[i] end
  end
  local cells = {}
  if t == "float" then
    local present = {}
    for k, i in ipairs(rows) do
      if i > 0 and values[k] ~= nil then present[#present + 1] = values[k] end
    end
    local texts, j = float_cells(present), 0
    for k, i in ipairs(rows) do
      if i > 0 and values[k] ~= nil then j = j + 1; cells[k] = texts[j] end
    end
  end
  for k, i in ipairs(rows) do
    if i == 0 then cells[k] = "…"
    elseif values[k] == nil then cells[k] = "NA"
    elseif t == "str" then cells[k] = fit(escape(values[k]), MAX_CELL)
    elseif not cells[k] then cells[k] = tostring(values[k]) end
  end
  return cells, t == "int" or t == "float"
end

local function pad(s, width, right)
  local gap = string.rep(" ", width - core.display_width(s))
  return right and gap .. s or s .. gap
end

local function is_width(w) return type(w) == "number" and math.tointeger(w) ~= nil and w >= 1 end
local frame_text -- below

local OPTIONS = {
  all = { function(v) return type(v) == "boolean" end, "a boolean" },
  width = { is_width, "a positive integer" },
}

--- The text shown for a frame.
-- @tparam Frame f
-- @tparam[opt] integer width terminal width (default: detected)
-- @tparam[opt] table opts `all = true` shows every row; `width` as the
--   argument (the options may also come second: `format_frame(f, {all = true})`)
-- @treturn string
function M.format_frame(f, width, opts)
  check.frame("format_frame", f, "f")
  if type(width) == "table" and opts == nil then width, opts = nil, width end
  opts = check.options("format_frame", opts, OPTIONS)
  width = width or opts.width
  check.arg(width == nil or is_width(width), "format_frame", "width", "must be a positive integer, got "
    .. (type(width) == "number" and tostring(width) or type(width)))
  return frame_text(f, math.tointeger(width) or core.terminal_width(), opts)
end

-- the text of format_frame, its arguments checked
function frame_text(f, width, opts)
  local n, names, types = F.nrow(f), F.names(f), F.types(f)
  local rows = shown_rows(n, opts and opts.all)
  local rownum = {}
  for k, i in ipairs(rows) do rownum[k] = i > 0 and tostring(i) or "" end
  local numw = 0
  for _, s in ipairs(rownum) do numw = math.max(numw, #s) end
  local used = numw
  local cols = {}
  for j, name in ipairs(names) do
    local cells, right = column_cells(F.column(f, name), rows)
    local head = fit(escape(name), MAX_CELL)
    local tname = "<" .. types[j] .. ">"
    local w = math.max(core.display_width(head), #tname)
    for _, c in ipairs(cells) do w = math.max(w, core.display_width(c)) end
    if used + 2 + w > width and #cols > 0 then break end
    used = used + 2 + w
    cols[#cols + 1] = { head = head, tname = tname, cells = cells, right = right, w = w }
  end
  local lines = {}
  local function line(parts) lines[#lines + 1] = (table.concat(parts, "  "):gsub("%s+$", "")) end
  local header, typeline = { string.rep(" ", numw) }, { string.rep(" ", numw) }
  for _, c in ipairs(cols) do
    header[#header + 1] = pad(c.head, c.w, c.right)
    typeline[#typeline + 1] = pad(c.tname, c.w, c.right)
  end
  line(header)
  line(typeline)
  for k in ipairs(rows) do
    local parts = { pad(rownum[k], numw, true) }
    for _, c in ipairs(cols) do parts[#parts + 1] = pad(c.cells[k], c.w, c.right) end
    line(parts)
  end
  local footer = string.format("# %s rows × %d columns", group_digits(tostring(n)), #names)
  if #cols < #names then
    local rest = {}
    for j = #cols + 1, #names do rest[#rest + 1] = names[j] .. " <" .. types[j] .. ">" end
    footer = footer .. "; not shown: " .. table.concat(rest, ", ")
  end
  lines[#lines + 1] = footer
  return table.concat(lines, "\n")
end

--- The text shown for a column.
-- @tparam Column c
-- @tparam[opt] integer width terminal width (default: detected)
-- @treturn string
function M.format_column(c, width)
  check.arg(core.type(c) == "column", "format_column", "c", "must be a Column, got " .. (core.type(c) or type(c)))
  local f = core.frame_from({ "value" }, { c })
  local text = M.format_frame(f, width)
  return (text:gsub("# ([%d,]+) rows × 1 columns", function(rows)
    return string.format("# Column <%s>: %s values, %s NA", C.type(c), rows, group_digits(tostring(C.na_count(c))))
  end))
end

--- A frame as a Markdown table (every row; NA as empty cells).
-- @tparam Frame f
-- @treturn string
function M.format_markdown(f)
  check.frame("format_markdown", f, "f")
  local names = F.names(f)
  local out = { "| " .. table.concat(names, " | ") .. " |", "|" .. string.rep(" --- |", #names) }
  for i = 1, F.nrow(f) do
    local cells = {}
    for j, name in ipairs(names) do
      local v = F.get(f, name, i)
      cells[j] = v == nil and "" or (math.type(v) == "float" and core.format_number(v) or tostring(v))
      cells[j] = cells[j]:gsub("|", "\\|"):gsub("\n", " ")
    end
    out[#out + 1] = "| " .. table.concat(cells, " | ") .. " |"
  end
  return table.concat(out, "\n") .. "\n"
end

return M
