--- The Frame and Column classes: their method tables and metamethods.
--
-- This module is the only owner of both method tables.  The C core keeps in
-- each metatable only what C must own (`__gc`, `__len`, a column's `c[i]`)
-- and hands its accessors over as `core.frame_accessors` and
-- `core.column_accessors`; this module installs them, then every verb
-- written in Lua from the one list below.  A verb lives in the module of its
-- topic (`sort` with sorting, `filter` with expressions, `write_csv` with
-- CSV) as a plain function of the frame; the method is looked up in that
-- module the first time it is called, so a module can use frame methods
-- without a cycle of `require`s, and requiring any module gives frames all
-- their methods.
-- @module zonestat.frame

local core = require "zonestat.core"
local printing = require "zonestat.print"

local M = {}

--- Frame methods written in Lua: method name → module that defines it.
M.VERBS = {
  select = "zonestat.verbs", rename = "zonestat.verbs", head = "zonestat.verbs", tail = "zonestat.verbs",
  slice = "zonestat.verbs", cast = "zonestat.verbs", fill_na = "zonestat.verbs", distinct = "zonestat.verbs",
  rows = "zonestat.verbs", totable = "zonestat.verbs", describe = "zonestat.verbs", nfc = "zonestat.verbs",
  filter = "zonestat.expr", mutate = "zonestat.expr",
  group_by = "zonestat.agg", agg = "zonestat.agg",
  sort = "zonestat.sort", top = "zonestat.sort",
  join = "zonestat.join",
  pivot = "zonestat.reshape", unpivot = "zonestat.reshape",
  write_csv = "zonestat.csv", to_csv = "zonestat.csv",
  write_json = "zonestat.json", to_json = "zonestat.json",
  write_xlsx = "zonestat.xlsx",
  write_sqlite = "zonestat.sqlite",
}

local function lazy(homes)
  return {
    __index = function(t, name)
      local home = homes[name]
      if not home then return nil end
      local fn = require(home)[name]
      rawset(t, name, fn)
      return fn
    end,
  }
end

local frame_methods = setmetatable({}, lazy(M.VERBS))
for name, fn in pairs(core.frame_accessors) do frame_methods[name] = fn end
local column_methods = {}
for name, fn in pairs(core.column_accessors) do column_methods[name] = fn end

core.set_frame_class(frame_methods, { __tostring = function(f) return printing.format_frame(f) end })
core.set_column_class(column_methods, { __tostring = function(c) return printing.format_column(c) end })

--- Every method name of a frame, sorted (the C accessors and the Lua verbs).
-- @treturn {string,...}
function M.method_names()
  local names = {}
  for name in pairs(core.frame_accessors) do names[#names + 1] = name end
  for name in pairs(M.VERBS) do names[#names + 1] = name end
  table.sort(names)
  return names
end

--- Every method name of a column, sorted.
-- @treturn {string,...}
function M.column_method_names()
  local names = {}
  for name in pairs(column_methods) do names[#names + 1] = name end
  table.sort(names)
  return names
end

return M
