--- JSON input: `zs.read_json` (parsed with lua-cjson).  Output
-- (`f:write_json`) is in the C core, which writes numbers itself: lua-cjson
-- 2.1 keeps only 14 significant digits.
-- @module zonestat.json

local cjson = require "cjson.safe"
local core = require "zonestat.core"
local check = require "zonestat.check"
local build = require "zonestat.build"
require "zonestat.frame"

local NA = core.NA
local M = {}

--- Line and column (1-based, in characters) of byte `pos` in `text`.
local function line_col(text, pos)
  local line, line_start = 1, 1
  for nl in text:sub(1, pos - 1):gmatch("()\n") do
    line, line_start = line + 1, nl + 1
  end
  local col = utf8.len(text, line_start, pos - 1, true) or (pos - line_start)
  return line, col + 1
end

-- the file's text without a UTF-8 BOM, or nil, "path: message" (a folder is
-- an error; a FIFO without a writer reads as empty instead of waiting)
local function read_file(path)
  local text, err = core.read_file(path)
  if not text then return nil, err end
  if text:sub(1, 3) == "\239\187\191" then text = text:sub(4) end
  return text
end

--- Cell value from a decoded JSON value: null → NA; nested values refused.
local function cell(v, where)
  if v == cjson.null or v == nil then return NA end
  local t = type(v)
  if t == "table" then return nil, where .. ": nested arrays and objects are not supported" end
  return v
end

--- Turn floats that are all integers (|x| ≤ 2^53) into Lua integers:
-- lua-cjson reads every JSON number as a float.
local function integral_column(values, n)
  local any = false
  for i = 1, n do
    local v = values[i]
    if type(v) == "number" then
      if v ~= math.floor(v) or v ~= v or math.abs(v) > 2 ^ 53 then return values end
      any = true
    elseif v ~= NA then
      return values
    end
  end
  if not any then return values end
  local out = {}
  for i = 1, n do
    local v = values[i]
    out[i] = type(v) == "number" and math.tointeger(v) or v
  end
  return out
end

--- Read a JSON file into a frame.
-- The file holds an array of objects (one per row; keys are columns,
-- absent keys are NA) or an object of arrays (one per column).  `null` is
-- NA; a column whose numbers are all integers becomes `int` (lua-cjson
-- reads numbers as doubles, so integers beyond 2^53 lose precision).
-- @tparam string path
-- @tparam[opt] table opts `order`: column names in order (default: sorted)
-- @return frame, or nil and "path[:line:col]: message"
function M.read_json(path, opts)
  check.arg(type(path) == "string", "read_json", "path", "must be a string, got " .. type(path))
  opts = check.options("read_json", opts, { order = { function(v) return type(v) == "table" end, "an array of names" } })
  local text, ferr = read_file(path)
  if not text then return nil, ferr end
  local data, derr = cjson.decode(text)
  if data == nil then
    local pos = derr and tonumber(derr:match("at character (%d+)"))
    if pos then
      local line, col = line_col(text, pos)
      return nil, string.format("%s:%d:%d: %s", path, line, col, derr)
    end
    return nil, path .. ": " .. tostring(derr)
  end
  if type(data) ~= "table" then
    return nil, path .. ": expected an array of objects or an object of arrays"
  end
  local columns, n = {}, 0
  if data[1] ~= nil or next(data) == nil then
    -- array of objects
    n = #data
    for i = 1, n do
      local row = data[i]
      if type(row) ~= "table" or row[1] ~= nil then
        return nil, string.format("%s: element %d is not an object", path, i)
      end
      for k, v in pairs(row) do
        local c, err = cell(v, string.format("%s: element %d, key '%s'", path, i, tostring(k)))
        if c == nil then return nil, err end
        local col = columns[k]
        if not col then
          col = {}
          for r = 1, i - 1 do col[r] = NA end
          columns[k] = col
        end
        col[i] = c
      end
      for _, col in pairs(columns) do
        if col[i] == nil then col[i] = NA end
      end
    end
  else
    -- object of arrays, its members in sorted order (so that a message
    -- does not depend on the order of a Lua table)
    local keys = {}
    for k in pairs(data) do keys[#keys + 1] = k end
    table.sort(keys, function(x, y) return tostring(x) < tostring(y) end)
    for ki, k in ipairs(keys) do
      local arr = data[k]
      if type(arr) ~= "table" or (next(arr) ~= nil and arr[1] == nil) then
        return nil, string.format("%s: member '%s' is not an array", path, tostring(k))
      end
      local col = {}
      for i = 1, #arr do
        local c, err = cell(arr[i], string.format("%s: member '%s', element %d", path, tostring(k), i))
        if c == nil then return nil, err end
        col[i] = c
      end
      if ki == 1 then n = #arr end
      if #arr ~= n then
        return nil, string.format("%s: member '%s' has %d elements, expected %d (as member '%s')", path, tostring(k),
          #arr, n, tostring(keys[1]))
      end
      columns[k] = col
    end
  end
  for k, col in pairs(columns) do columns[k] = integral_column(col, n) end
  local ok, f = pcall(build.frame, columns, opts.order)
  if not ok then
    if type(f) ~= "string" then error(f, 0) end
    return nil, path .. ": " .. f:gsub("^[^\n]-%.lua:%d+: ", ""):gsub("^frame: ", "")
  end
  return f
end

--- Write the frame as JSON, atomically: `orient = "records"` (default, an
-- array of objects) or `"columns"` (an object of arrays); NA as `null`.
-- @tparam string path
-- @tparam[opt] table opts `orient`
-- @return true, or nil and "path: message"
function M.write_json(f, path, opts)
  check.arg(type(path) == "string", "write_json", "path", "must be a string, got " .. type(path))
  return check.call("write_json", core.write_json, f, path, opts)
end

--- The frame as JSON text (options as write_json's).
-- @treturn string
function M.to_json(f, opts)
  local text, err = check.call("to_json", core.to_json, f, nil, opts)
  if not text then check.fail("to_json", tostring(err)) end
  return text
end

return M
