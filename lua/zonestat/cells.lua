--- The cells of a registry table read as the dataset's values: numbers
-- under the table's conventions and scaled by the header's unit exactly
-- (the digits are shifted, never multiplied in floating point), dates in the
-- table's date format, category values through the mapping.
-- @module zonestat.cells

local mapping = require "zonestat.mapping"
local units = require "zonestat.units"

local M = {}

local function days_in_month(y, m)
  local dim = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  if m == 2 and (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) then return 29 end
  return dim[m]
end

local function iso(y, m, d)
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 or d > days_in_month(y, m) then return nil end
  return string.format("%04d-%02d-%02d", y, m, d)
end

--- A date as ISO text: `yyyy-mm-dd` always, else in the given format.
-- @tparam string text
-- @tparam[opt] string format "%d/%m/%Y", "%d-%m-%Y", "%m/%d/%Y" or "%Y-%m-%d"
-- @treturn ?string "yyyy-mm-dd", or nil
function M.date(text, format)
  local y, m, d = text:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
  if y then return iso(y, m, d) end
  local a, b
  if format == "%d/%m/%Y" or format == "%m/%d/%Y" then
    a, b, y = text:match("^(%d%d?)/(%d%d?)/(%d%d%d%d)$")
  elseif format == "%d-%m-%Y" then
    a, b, y = text:match("^(%d%d?)-(%d%d?)-(%d%d%d%d)$")
  end
  if not a then return nil end
  if format == "%m/%d/%Y" then return iso(y, a, b) end
  return iso(y, b, a)
end

local function conventions(conv)
  local t = conv.thousands or ""
  return string.format("decimal '%s'%s", conv.decimal or ".", t ~= "" and ", thousands '" .. t .. "'" or
    ", no thousands marks")
end

--- A number written under conventions, times 10^power exactly.
-- @tparam string text
-- @tparam table conv {decimal, thousands}
-- @tparam[opt] integer power the header unit's power of ten (default 0)
-- @return[1] number (an integer when integral and representable)
-- @return[2] nil
-- @treturn[2] string what is wrong
function M.number(text, conv, power)
  local decimal, thousands = conv.decimal or ".", conv.thousands or ""
  local s = text:gsub("^%s+", ""):gsub("%s+$", "")
  local other = decimal == "," and "." or ","
  if thousands == "" and s:find(other, 1, true) then
    return nil, string.format("'%s' is not a number (%s)", text, conventions(conv))
  end
  if thousands ~= "" and thousands ~= other then
    return nil, string.format("'%s': thousands '%s' with decimal '%s' cannot be read", text, thousands, decimal)
  end
  local v, unit = units.parse(s, { locale = decimal == "," and "vi" or "en", shift = power or 0 })
  if v == nil or unit ~= nil then
    local hint = s == "-" and " (leave the cell empty when there is no figure, or write 0)" or ""
    return nil, string.format("'%s' is not a number (%s)%s", text, conventions(conv), hint)
  end
  return v
end

--- A category value: the mapping's value, or one of `allowed` (matched
-- without diacritics or case).
-- @param map a mapping (zonestat.mapping)
-- @tparam string tc "table.column"
-- @tparam string text
-- @tparam {string,...} allowed the project's values
-- @return[1] string
-- @return[2] nil
-- @treturn[2] string what is wrong, with the way to map it
function M.category(map, tc, text, allowed)
  local v = map:value_for(tc, text)
  if v then return v end
  local key = mapping.key(text)
  for _, a in ipairs(allowed) do
    if a == text or mapping.key(a) == key then return a end
  end
  local column = tc:match("%.(.*)$")
  return nil, string.format("unknown %s '%s' (expected %s; or map it: value,%s,%s=...)", column, text,
    table.concat(allowed, ", "), text, tc)
end

--- Text as the value of a yes/no column.
-- @param map a mapping
-- @tparam string tc "table.column"
-- @tparam string text
function M.yesno(map, tc, text)
  local v = map:value_for(tc, text)
  if v then return v end
  local k = mapping.key(text)
  if k == "yes" or k == "true" or k == "1" or k == "co" or k == "x" then return "yes" end
  if k == "no" or k == "false" or k == "0" or k == "khong" then return "no" end
  return nil, string.format("'%s' must be yes or no (có / không)", text)
end

return M
