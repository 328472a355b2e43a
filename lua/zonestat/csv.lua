--- CSV input and output: `zs.read_csv`, `zs.parse_csv`, `f:write_csv`,
-- `f:to_csv`.  The reader and the writer are in the C core (csv_read.c,
-- write.c); this module names them and checks what reaches them.
-- @module zonestat.csv

local core = require "zonestat.core"
local check = require "zonestat.check"
local sniff = require "zonestat.sniff"
require "zonestat.frame"

local M = {}

-- Conventions that `locale` presets: the separator is sniffed unless given.
local LOCALES = {
  vi = { decimal = ",", thousands = ".", date_format = "%d/%m/%Y" },
  en = { decimal = ".", thousands = "", date_format = "%Y-%m-%d" },
}
-- sniffed conventions that `sniff = true` takes when they are not given
local SNIFFED = { "sep", "quote", "decimal", "thousands", "date_format", "encoding", "header" }

local function describe(o)
  local parts = {}
  local function shown(c) return c == "\t" and "tab" or "'" .. c .. "'" end
  parts[#parts + 1] = "separator " .. shown(o.sep or ",")
  parts[#parts + 1] = "decimal " .. shown(o.decimal or ".")
  if o.thousands and o.thousands ~= "" then parts[#parts + 1] = "thousands " .. shown(o.thousands) end
  if o.date_format and o.date_format ~= "%Y-%m-%d" then parts[#parts + 1] = "dates " .. o.date_format end
  if o.encoding and o.encoding ~= "utf-8" then parts[#parts + 1] = "encoding " .. o.encoding end
  return table.concat(parts, ", ")
end

-- The options for the C reader from the user's: `locale`, `sep = "auto"`
-- and `sniff` resolved through a sniff of the source.  Returns the options
-- and the sniff's table (nil when nothing was sniffed), or nil, message.
local function resolve(fname, source, opts, is_text)
  local locale, want = opts.locale, opts.sniff
  check.arg(locale == nil or LOCALES[locale] ~= nil, fname, "opts.locale", 'must be "vi" or "en"', 1)
  check.arg(want == nil or type(want) == "boolean", fname, "opts.sniff", "must be a boolean", 1)
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.locale, o.sniff, o.assumed, o.bom, o.eol = nil, nil, nil, nil, nil
  if not (want or locale or o.sep == "auto") then return o end
  local given = o.sep ~= nil and o.sep ~= "auto" and o.sep or nil
  local info, err = sniff.sniff_csv(source, { locale = locale, text = is_text, sep = given })
  if not info then return nil, err end
  if o.sep == "auto" or o.sep == nil then o.sep = info.sep end
  for k, v in pairs(LOCALES[locale] or {}) do
    if o[k] == nil then o[k] = v end
  end
  if locale and o.encoding == nil and info.encoding ~= "utf-8" then o.encoding = info.encoding end
  if want then
    for _, k in ipairs(SNIFFED) do
      if o[k] == nil then o[k] = info[k] end
    end
  end
  if o.encoding == "utf-8" then o.encoding = nil end
  if o.thousands == "" and o.decimal ~= "," then o.thousands = nil end
  return o, info
end

-- the frame after reading: text guessed as cp1258 in NFC
local function finish(f, o, info, source)
  if o.encoding and o.encoding:lower():gsub("[-_]", "") == "cp1258" then
    local nf, err = f:nfc()
    if not nf then return nil, source .. ": " .. err end
    f = nf
  end
  if not info then return f end
  local types = f:types()
  info.types = {}
  for j, name in ipairs(f:names()) do info.types[name] = types[j] end
  for _, k in ipairs(SNIFFED) do info[k] = o[k] == nil and info[k] or o[k] end
  return f, info
end

--- A hint for a file read with the wrong separator: the separator it seems
-- to use, when that is not `used` and splits its lines into fields.
-- @tparam string path
-- @tparam[opt] string used the separator given (default ",")
-- @treturn ?string the separator, or nil
function M.separator_hint(path, used)
  local info = sniff.sniff_csv(path)
  if not info or info.sep == (used or ",") then return nil end
  for _, a in ipairs(info.assumed) do
    if a:find("no separator", 1, true) then return nil end
  end
  return info.sep
end

local function read(fname, reader, source, opts, is_text)
  check.arg(opts == nil or type(opts) == "table", fname, "opts", "must be a table")
  local o, info = resolve(fname, source, opts or {}, is_text)
  if not o then return nil, info end
  local f, err = check.call_from(1, fname, reader, source, o)
  if not opts or not opts.sniff then info = nil end
  if not f then
    if opts and (opts.sniff or opts.locale or opts.sep == "auto") then
      return nil, err .. " (read with " .. describe(o) .. ")"
    end
    local fields = err:match("expected 1 fields?, found %d+$")
    local hint = fields and not is_text and M.separator_hint(source, o.sep)
    if hint then
      err = err .. string.format(" (the file seems to use %s between fields: sep = \"%s\")",
        hint == "\t" and "tabs" or "'" .. hint .. "'", hint == "\t" and "\\t" or hint)
    end
    return nil, err
  end
  return finish(f, o, info, is_text and (o.source or "<string>") or source)
end

--- Read a CSV file into a frame (options in README "Input and output").
-- `sep = "auto"` sniffs the separator; `locale = "vi"` presets the
-- Vietnamese conventions (separator sniffed, decimal `,`, thousands `.`,
-- dates dd/mm/yyyy, cp1258 when the bytes are not UTF-8); `sniff = true`
-- sniffs every convention not given and returns what it found.
-- @tparam string path
-- @tparam[opt] table opts
-- @return[1] frame, and with `sniff = true` the conventions used (as `sniff_csv`'s table)
-- @return[2] nil
-- @treturn[2] string "path:line:col: message"
function M.read_csv(path, opts)
  check.arg(type(path) == "string", "read_csv", "path", "must be a string, got " .. type(path))
  return read("read_csv", core.read_csv, path, opts, false)
end

--- Read CSV text into a frame (`opts.source` names it in messages, default `<string>`).
-- @tparam string text
-- @tparam[opt] table opts as read_csv's
-- @return frame (and the conventions with `sniff = true`), or nil and "source:line:col: message"
function M.parse_csv(text, opts)
  check.arg(type(text) == "string", "parse_csv", "text", "must be a string, got " .. type(text))
  return read("parse_csv", core.parse_csv, text, opts, true)
end

--- The conventions of a CSV file (see zonestat.sniff).
M.sniff_csv = sniff.sniff_csv

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
