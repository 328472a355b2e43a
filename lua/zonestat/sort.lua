--- Sorting verbs: `f:sort(...)` and `f:top(col, n)`.  Sort keys, the
-- radix sort and the top-n selection are in the C core (sort.c).
-- @module zonestat.sort

local core = require "zonestat.core"
local check = require "zonestat.check"
require "zonestat.frame"

local M = {}

--- Sort rows by columns, stably, NA last.
-- @param ... column names, each optionally followed by `{desc = true}`
-- @treturn Frame
-- @usage f:sort("province", "capital", {desc = true})
function M.sort(f, ...)
  local names, desc = {}, {}
  for i = 1, select("#", ...) do
    local a = select(i, ...)
    if type(a) == "string" then
      names[#names + 1] = a
      desc[#names] = false
    elseif type(a) == "table" and #names > 0 then
      check.options("sort", a, { desc = { function(v) return type(v) == "boolean" end, "a boolean" } })
      desc[#names] = a.desc and true or false
    else
      check.arg(false, "sort", i, "must be a column name or an options table after one, got " .. type(a))
    end
  end
  if #names == 0 then check.fail("sort", "no column given") end
  check.columns("sort", f, names)
  return core.take(f, check.call("sort", core.order, f, names, desc))
end

--- The n rows with the largest values of a column, largest first (NA never).
-- @tparam string col
-- @tparam integer n
-- @treturn Frame
function M.top(f, col, n)
  check.column("top", f, col, "col")
  check.integer("top", n, "n")
  return core.take(f, core.top_rows(f:column(col), n))
end

return M
