--- Joins: `f:join(g, {on = ..., how = ...})`.
-- The matching runs in C (join.c): a hash join on one or more keys of any
-- type, many-to-one and many-to-many; NA keys never match.
-- @module zonestat.join

local core = require "zonestat.core"
local check = require "zonestat.check"
local expr = require "zonestat.expr"
require "zonestat.frame"

local M = {}

local hows = { inner = true, left = true, full = true, semi = true, anti = true }

--- Join two frames.
-- Rows come in left-row order (and, for one left row, in right-row order);
-- a full join appends the right rows nothing matched.
-- @tparam Frame g the right frame
-- @tparam table opts
--   `on`: key names present in both frames (`{"zone_id"}`), or a map of
--   left name to right name (`{zone_id = "id"}`);
--   `how`: "inner" (default), "left", "full", "semi" (left rows with a
--   match) or "anti" (left rows without one);
--   `suffix`: for other columns named alike on both sides (default `{"_x", "_y"}`)
-- @treturn Frame the left columns (key columns once), then the right ones
-- @usage projects:join(zones, {on = {zone_id = "id"}, how = "left"})
function M.join(f, g, opts)
  check.frame("join", g, "g")
  check.arg(type(opts) == "table", "join", "opts", "must be an options table with 'on'")
  for k in pairs(opts) do
    if k ~= "on" and k ~= "how" and k ~= "suffix" then check.fail("join", "unknown option '" .. tostring(k) .. "'") end
  end
  local how = opts.how or "inner"
  if not hows[how] then check.fail("join", "how must be inner, left, full, semi or anti") end
  local on = opts.on
  if type(on) == "string" then on = { on } end
  if type(on) ~= "table" then check.fail("join", "'on' must name the key columns") end
  local lkeys, rkeys, seen, rseen = {}, {}, {}, {}
  local function add(l, r)
    if seen[l] then check.fail("join", "'" .. l .. "' appears twice in 'on'", 1) end
    if rseen[r] then check.fail("join", "'" .. r .. "' appears twice on the right of 'on'", 1) end
    seen[l], rseen[r] = true, true
    lkeys[#lkeys + 1], rkeys[#rkeys + 1] = l, r
  end
  local n, mapped, listed = #on, {}, 0
  for k, v in pairs(on) do
    if type(k) == "string" then
      mapped[#mapped + 1] = k
    elseif math.type(k) == "integer" and k >= 1 and k <= n then
      listed = listed + 1
    else
      check.fail("join", "'on' must be an array of key names or a map of left name = right name")
    end
    if type(v) ~= "string" then check.fail("join", "'on' must name columns, got a " .. type(v)) end
  end
  if listed > 0 and #mapped > 0 then
    table.sort(mapped)
    check.fail("join", string.format("'on' mixes an array of names ({%q, ...}) with a map of left = right "
      .. "names ({%s = %q, ...}): give one or the other (in a map, a key named alike on both sides is %s = %q)",
      on[1], mapped[1], on[mapped[1]], on[1], on[1]))
  end
  for i = 1, n do add(on[i], on[i]) end
  table.sort(mapped)
  for _, l in ipairs(mapped) do add(l, on[l]) end
  if #lkeys == 0 then check.fail("join", "no key given in 'on'") end
  for i = 1, #lkeys do
    if not f:has(lkeys[i]) then check.fail("join", "no column named '" .. lkeys[i] .. "' on the left") end
    if not g:has(rkeys[i]) then check.fail("join", "no column named '" .. rkeys[i] .. "' on the right") end
  end
  local suffix = opts.suffix or { "_x", "_y" }
  if type(suffix) ~= "table" or type(suffix[1]) ~= "string" or type(suffix[2]) ~= "string" or suffix[1] == suffix[2] then
    check.fail("join", "suffix must be two different strings")
  end

  local lrows, rrows = check.call("join", core.join_rows, f, g, lkeys, rkeys, how)
  local left = core.take(f, lrows)
  if how == "semi" or how == "anti" then return left end
  local right = core.take(g, rrows)

  local names, cols = {}, {}
  local is_rkey, rnames = {}, {}
  for i, r in ipairs(rkeys) do is_rkey[r] = lkeys[i] end
  for _, name in ipairs(g:names()) do
    if not is_rkey[name] then rnames[#rnames + 1] = name end
  end
  local rset = {}
  for _, name in ipairs(rnames) do rset[name] = true end
  local is_lkey = {}
  for i, l in ipairs(lkeys) do is_lkey[l] = rkeys[i] end
  for _, name in ipairs(left:names()) do
    local c = left:column(name)
    if is_lkey[name] and how == "full" then
      -- right-only rows: the key comes from the right side
      local rc = right:column(is_lkey[name])
      local pair = core.frame_from({ "l", "r" }, { c, rc })
      local l, r = expr.col("l"), expr.col("r")
      if c:type() ~= rc:type() then
        -- int with float: int when every key is an integer in range (no
        -- int goes through a double), else float
        local ok, ints = pcall(core.eval, pair, l:cast("int"):fill_na(r:cast("int")))
        c = ok and ints or core.eval(pair, l:cast("float"):fill_na(r:cast("float")))
      else
        c = core.eval(pair, l:fill_na(r))
      end
    end
    names[#names + 1] = (rset[name] and not is_lkey[name]) and name .. suffix[1] or name
    cols[#cols + 1] = c
  end
  local lset = {}
  for _, name in ipairs(left:names()) do lset[name] = true end
  for _, name in ipairs(rnames) do
    names[#names + 1] = lset[name] and name .. suffix[2] or name
    cols[#cols + 1] = right:column(name)
  end
  return check.call("join", core.frame_from, names, cols, left:nrow())
end

return M
