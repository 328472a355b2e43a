--- Sorting verbs: `f:sort(...)` and `f:top(col, n)`.  Sort keys, the
-- radix sort and the top-n selection are in the C core (sort.c).
-- @module zonestat.sort

local core = require "zonestat.core"
local check = require "zonestat.check"
require "zonestat.frame"

local M = {}

--- Sort rows by columns, stably, NA last.
-- Text sorts by its bytes (UTF-8 order) unless the column's options ask for
-- a language's order: `{collate = "vi"}` sorts by the Vietnamese collation
-- of ICU (Đ after D, tones after the base letter, case and Unicode form
-- ignored at first), any ICU locale name works ("en", "fr", ...).
-- @param ... column names, each optionally followed by `{desc = true, collate = "vi"}`
-- @treturn Frame
-- @usage f:sort("province", "capital", {desc = true})
-- f:sort("name", {collate = "vi"})
function M.sort(f, ...)
  check.frame("sort", f, "self")
  local names, desc, collate = {}, {}, {}
  local after_name = false
  for i = 1, select("#", ...) do
    local a = select(i, ...)
    if type(a) == "string" then
      names[#names + 1] = a
      desc[#names] = false
      after_name = true
    elseif type(a) == "table" and after_name then
      after_name = false
      check.options("sort", a, { desc = { function(v) return type(v) == "boolean" end, "a boolean" },
        collate = { function(v) return type(v) == "string" and v:match("^[%a_%-]+$") ~= nil end, "a locale name (\"vi\")" } })
      desc[#names] = a.desc and true or false
      collate[#names] = a.collate
    else
      check.arg(false, "sort", i, "must be a column name or an options table after one, got " .. type(a))
    end
  end
  if #names == 0 then check.fail("sort", "no column given") end
  check.columns("sort", f, names)
  local keyed = f
  if next(collate) then
    local knames, kcols = {}, {}
    for k, name in ipairs(names) do
      local c = f:column(name)
      if collate[k] and c:type() == "str" then c = check.call("sort", core.collation_ranks, c, collate[k]) end
      knames[k], kcols[k] = "k" .. k, c
    end
    keyed = core.frame_from(knames, kcols, f:nrow())
    for k in ipairs(names) do names[k] = "k" .. k end
  end
  return core.take(f, check.call("sort", core.order, keyed, names, desc))
end

--- The n rows with the largest values of a column, largest first (NA never).
-- @tparam string col
-- @tparam integer n
-- @treturn Frame
function M.top(f, col, n)
  check.frame("top", f, "self")
  check.column("top", f, col, "col")
  check.integer("top", n, "n")
  return core.take(f, core.top_rows(f:column(col), n))
end

return M
