--- CSV input and output: `zs.read_csv`, `zs.parse_csv`, `f:write_csv`,
-- `f:to_csv`.  The reader and the writer are in the C core (csv_read.c,
-- write.c); this module names them and checks what reaches them.
-- @module zonestat.csv

local core = require "zonestat.core"
local check = require "zonestat.check"
require "zonestat.frame"

local M = {}

--- Read a CSV file into a frame (options in README "Input and output").
-- @tparam string path
-- @tparam[opt] table opts
-- @return frame, or nil and "path:line:col: message"
function M.read_csv(path, opts)
  check.arg(type(path) == "string", "read_csv", "path", "must be a string, got " .. type(path))
  check.arg(opts == nil or type(opts) == "table", "read_csv", "opts", "must be a table")
  return check.call("read_csv", core.read_csv, path, opts)
end

--- Read CSV text into a frame (`opts.source` names it in messages, default `<string>`).
-- @tparam string text
-- @tparam[opt] table opts as read_csv's
-- @return frame, or nil and "source:line:col: message"
function M.parse_csv(text, opts)
  check.arg(type(text) == "string", "parse_csv", "text", "must be a string, got " .. type(text))
  check.arg(opts == nil or type(opts) == "table", "parse_csv", "opts", "must be a table")
  return check.call("parse_csv", core.parse_csv, text, opts)
end

--- Write the frame as CSV, atomically (a temporary file, then rename).
-- @tparam string path
-- @tparam[opt] table opts `sep`, `decimal`, `na`, `bom`, `header`, `eol`
-- @return true, or nil and "path: message"
function M.write_csv(f, path, opts)
  check.arg(type(path) == "string", "write_csv", "path", "must be a string, got " .. type(path))
  return check.call("write_csv", core.write_csv, f, path, opts)
end

--- The frame as CSV text (options as write_csv's).
-- @treturn string
function M.to_csv(f, opts)
  local text, err = check.call("to_csv", core.to_csv, f, nil, opts)
  if not text then check.fail("to_csv", tostring(err)) end
  return text
end

return M
