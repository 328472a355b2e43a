-- group_fuzz.lua: the libFuzzer driver for group-by (run by lua_fuzz.c as
-- out/group_fuzz).  Each input is decoded into
--   byte 0        the number of rows (0..63)
--   byte 1        the keys: none (a whole-frame f:agg), one or two of the
--                 columns below, and sort = false
--   next bytes    the values of the columns k1, k2 (keys: each of any type,
--                 from a small pool so that groups repeat), v (int), w (float),
--                 x (bool), y (str), z (date), one byte a value from fuzzlib's
--                 hostile pools (int64 extremes, ±0, ±Inf, NaN, NA, ...)
--   the rest      1 to 6 aggregates (or one zs.top), one or more bytes each
-- and checked (a violation is a finding: the host aborts):
--   - no crash, no sanitizer report, no hang; errors are the API's own;
--   - 1 and 2 threads give the same frame bit for bit (or the same message);
--     the fuzz build cuts frames of 4 rows and more into parts (fuzz/Makefile);
--   - the input frame is unchanged;
--   - against a reference computed in Lua (README "Guarantees and
--     definitions"): the groups are the distinct keys (NA keys a group of
--     their own, NaN is NA, -0.0 is 0.0), sorted ascending with NA last, or
--     in order of first appearance with sort = false; count(), count(c),
--     min, max, first, last, nunique and the int sum (exact, or the error
--     `integer overflow` when the total does not fit) per group; a float sum
--     or mean with +Inf and no -Inf is +Inf, with both NA.
local lib = require "fuzzlib"
local zs = lib.zs
local NA = zs.NA

local VALUES = { { "v", "int" }, { "w", "float" }, { "x", "bool" }, { "y", "str" }, { "z", "date" } }
-- smaller pools for keys: more repeats, all the edge values still there
local KEY_POOLS = {
  int = { "0", "1", "-1", "math.maxinteger", "-math.maxinteger", "2147483648", "zs.NA" },
  float = { "0.0", "-0.0", "1.5", "math.huge", "-math.huge", "(0/0)", "2.0^63", "zs.NA" },
  bool = { "true", "false", "zs.NA" },
  str = { '""', '"a"', '"B"', '"é"', '"NA"', '"a\\0b"', "zs.NA" },
  date = { '"1970-01-01"', '"1969-12-31"', '"9999-12-31"', '"0001-01-01"', "zs.NA" },
}

local function value_of(tok)
  local ok, v = lib.run("return " .. tok)
  assert(ok, v)
  if v == NA or (math.type(v) == "float" and v ~= v) then return nil end
  if v == 0 and math.type(v) == "float" then v = 0.0 end -- -0.0 groups with 0.0
  return v
end

-- ---- the reference ----------------------------------------------------------------

local TWO32 = 4294967296

-- exact int64 sum: nil for no value, "overflow" when it does not fit
local function int_sum(values, n)
  local hi, lo, any = 0, 0, false
  for m = 1, n do
    local v = values[m]
    if v ~= nil then
      any = true
      hi, lo = hi + v // TWO32, lo + v % TWO32
    end
  end
  if not any then return nil end
  hi, lo = hi + lo // TWO32, lo % TWO32
  if hi < -2147483648 or hi > 2147483647 then return "overflow" end
  local total = hi * TWO32 + lo
  if total == math.mininteger then return "overflow" end
  return total
end

-- the order of keys: NA last; false < true; numbers, strings (bytes) and
-- dates (yyyy-mm-dd, 4-digit years) by value
local function key_less(a, b)
  if a == nil then return false end
  if b == nil then return true end
  if type(a) == "boolean" then return a == false and b == true end
  return a < b
end

local function keys_less(ka, kb, n)
  for i = 1, n do
    local a, b = ka[i], kb[i]
    if key_less(a, b) then return true end
    if key_less(b, a) then return false end
  end
  return false
end

local function key_id(k, n)
  local parts = {}
  for i = 1, n do parts[i] = lib.value_text(k[i]) end
  return table.concat(parts, "\1")
end

-- ---- the aggregates -----------------------------------------------------------------

local function same_value(x, y)
  if x == NA then x = nil end
  if y == NA then y = nil end
  if x == nil or y == nil then return x == y end
  if type(x) == "number" and type(y) == "number" then
    return math.type(x) == math.type(y) and x == y
  end
  return x == y
end

-- each: src (Lua source of the spec, named a1, a2, ...) and, when modelled,
-- ref(values of the group's rows) -> value, or "overflow"
local function aggregate(r, name)
  local c = r:pick(VALUES)
  local cn, ct = c[1], c[2]
  local kind = r:below(16)
  local function q(s) return string.format("%q", s) end
  local spec
  if kind == 0 then
    spec = { src = "zs.count()", ref = function(_, n) return n end }
  elseif kind == 1 then
    spec = { src = "zs.count(" .. q(cn) .. ")", col = cn, ref = function(vals, n)
      local k = 0
      for m = 1, n do if vals[m] ~= nil then k = k + 1 end end
      return k
    end }
  elseif kind == 2 then
    spec = { src = "zs.sum(" .. q(cn) .. ")", col = cn }
    if ct == "int" then
      spec.ref = int_sum
    elseif ct == "float" then
      spec.ref = function(vals, n)
        local pinf, minf = false, false
        for m = 1, n do
          local v = vals[m]
          if v == math.huge then pinf = true elseif v == -math.huge then minf = true end
        end
        if pinf and minf then return nil end
        if pinf then return math.huge end
        if minf then return -math.huge end
        return "skip"
      end
    end
  elseif kind == 3 then
    spec = { src = "zs.mean(" .. q(cn) .. ")", col = cn }
    if ct == "float" then
      spec.ref = function(vals, n)
        local pinf, minf = false, false
        for m = 1, n do
          local v = vals[m]
          if v == math.huge then pinf = true elseif v == -math.huge then minf = true end
        end
        if pinf and minf then return nil end
        if pinf then return math.huge end
        if minf then return -math.huge end
        return "skip"
      end
    end
  elseif kind == 4 or kind == 5 then
    local op = kind == 4 and "min" or "max"
    spec = { src = "zs." .. op .. "(" .. q(cn) .. ")", col = cn }
    if ct ~= "bool" then
      spec.ref = function(vals, n)
        local best
        for m = 1, n do
          local v = vals[m]
          if v ~= nil and (best == nil or (op == "min" and v < best) or (op == "max" and v > best)) then best = v end
        end
        return best
      end
    end
  elseif kind == 6 or kind == 7 then
    local op = kind == 6 and "first" or "last"
    spec = { src = "zs." .. op .. "(" .. q(cn) .. ")", col = cn, ref = function(vals, n)
      local from, to, step = 1, n, 1
      if op == "last" then from, to, step = n, 1, -1 end
      for i = from, to, step do
        if vals[i] ~= nil then return vals[i] end
      end
      return nil
    end }
  elseif kind == 8 then
    spec = { src = "zs.nunique(" .. q(cn) .. ")", col = cn, ref = function(vals, n)
      local seen, k = {}, 0
      for m = 1, n do
          local v = vals[m]
        if v ~= nil and not seen[v] then
          seen[v] = true
          k = k + 1
        end
      end
      return k
    end }
  elseif kind == 9 then
    spec = { src = "zs.var(" .. q(cn) .. ")" }
  elseif kind == 10 then
    spec = { src = "zs.sd(" .. q(cn) .. ")" }
  elseif kind == 11 then
    spec = { src = "zs.median(" .. q(cn) .. ")" }
  elseif kind == 12 then
    local p = r:pick({ "0", "0.25", "0.5", "0.9", "1", "0.999", "1e-300" })
    local t = r:pick({ "", ", 7", ", 1" })
    spec = { src = "zs.quantile(" .. q(cn) .. ", " .. p .. t .. ")" }
  elseif kind == 13 then
    local other = r:pick(VALUES)[1]
    spec = { src = "zs.corr(" .. q(cn) .. ", " .. q(other) .. ")" }
  elseif kind == 14 then
    spec = { src = "zs.share(" .. q(cn) .. ")" }
  else
    local k = r:pick({ "1", "2", "3", "100", "math.maxinteger" })
    spec = { src = "zs.top(" .. q(cn) .. ", " .. k .. ")", top = true }
  end
  if not spec.top then spec.src = spec.src .. ":as(" .. q(name) .. ")" end
  spec.name = name
  return spec
end

-- ---- one input ----------------------------------------------------------------------

return function(data)
  local r = lib.reader(data)
  local nrow = r:byte() % 64
  local kb = r:byte()
  local nkeys = kb % 3
  local sort = (kb >> 2) % 4 ~= 0
  local cols, rows = {}, {}
  for i = 1, nrow do rows[i] = {} end
  local keys = {}
  for k = 1, nkeys do
    local t = lib.types[(kb >> (4 + 2 * (k - 1))) % 4 + 1]
    if (kb >> 3) % 2 == 1 and k == 1 then t = "date" end
    keys[k] = "k" .. k
    cols[#cols + 1] = { "k" .. k, t, KEY_POOLS[t] }
  end
  for _, c in ipairs(VALUES) do cols[#cols + 1] = { c[1], c[2], lib.by_type[c[2]] } end
  local parts, order = {}, {}
  for _, c in ipairs(cols) do
    local toks = {}
    for i = 1, nrow do
      local tok = r:pick(c[3])
      toks[i] = tok
      rows[i][c[1]] = value_of(tok)
    end
    parts[#parts + 1] = string.format("%s = zs.column({%s}, %q)", c[1], table.concat(toks, ", "), c[2])
    order[#order + 1] = string.format("%q", c[1])
  end
  local frame_src = string.format("zs.frame({%s}, {%s})", table.concat(parts, ", "), table.concat(order, ", "))

  local specs = {}
  local nspec = r:below(6) + 1
  for a = 1, nspec do
    local s = aggregate(r, "a" .. a)
    if s.top then
      specs = { s }
      break
    end
    specs[#specs + 1] = s
  end
  local spec_srcs = {}
  for i, s in ipairs(specs) do spec_srcs[i] = s.src end
  local call
  if nkeys == 0 then
    call = "f:agg(" .. table.concat(spec_srcs, ", ") .. ")"
  else
    local ks = {}
    for i, k in ipairs(keys) do ks[i] = string.format("%q", k) end
    if not sort then ks[#ks + 1] = "{sort = false}" end
    call = "f:group_by(" .. table.concat(ks, ", ") .. "):agg(" .. table.concat(spec_srcs, ", ") .. ")"
  end
  local case = "local f = " .. frame_src
  if rawget(_G, "FUZZ_VERBOSE") then io.stderr:write(case, "\n", call, "\n") end
  local ok, f = lib.run(case .. "\nreturn f")
  if not ok then
    local bad = lib.bad_error(f)
    if bad then lib.finding("building the frame: " .. bad, case, tostring(f)) end
    return
  end
  local before = lib.frame_text(f)
  local show = case .. "\nprint(" .. call .. ")"
  -- run the call on this very frame f (the source builds it again otherwise)
  local env = setmetatable({ zs = zs, f = f }, { __index = _G })
  local chunk = assert(load("return " .. call, "=agg", "t", env))
  zs.set_threads(1)
  local ok1, g1 = pcall(chunk)
  zs.set_threads(2)
  local ok2, g2 = pcall(chunk)
  zs.set_threads(1)
  if lib.frame_text(f) ~= before then lib.finding("agg changed its input frame", show) end
  if ok1 ~= ok2 then
    lib.finding("1 and 2 threads differ: " .. (ok1 and "only 2 threads raised" or "only 1 thread raised"), show,
      tostring(ok1 and g2 or g1))
  end
  if not ok1 then
    local bad = lib.bad_error(g1)
    if bad then lib.finding("agg: " .. bad, show, tostring(g1)) end
    if g1 ~= g2 then lib.finding("1 and 2 threads raise different messages", show, tostring(g1) .. "\n" .. tostring(g2)) end
  else
    local t1, t2 = lib.frame_text(g1), lib.frame_text(g2)
    if t1 ~= t2 then lib.finding("1 and 2 threads give different frames", show, t1 .. "\n--\n" .. t2) end
  end
  if specs[1].top then return end -- no reference for top

  -- the reference groups
  local groups, index = {}, {}
  for i = 1, nrow do
    local k = {}
    for j, name in ipairs(keys) do k[j] = rows[i][name] end
    local id = key_id(k, nkeys)
    local g = index[id]
    if not g then
      g = { key = k, rows = {} }
      index[id] = g
      groups[#groups + 1] = g
    end
    g.rows[#g.rows + 1] = i
  end
  if nkeys == 0 then
    groups = { { key = {}, rows = {} } }
    for i = 1, nrow do groups[1].rows[i] = i end
  end
  if sort then table.sort(groups, function(a, b) return keys_less(a.key, b.key, nkeys) end) end

  -- the int sums that overflow must make the call raise
  local overflow = false
  local expected = {}
  for gi, g in ipairs(groups) do
    expected[gi] = {}
    for si, s in ipairs(specs) do
      if s.ref then
        local vals = {}
        for m, i in ipairs(g.rows) do vals[m] = s.col and rows[i][s.col] end
        local v = s.ref(vals, #g.rows)
        if v == "overflow" then overflow = true end
        expected[gi][si] = v
      end
    end
  end
  if overflow then
    if ok1 then lib.finding("no error for an int sum that does not fit in int64", show) end
    return
  end
  if not ok1 then
    local all_modelled = true
    for _, s in ipairs(specs) do if not s.ref then all_modelled = false end end
    if all_modelled then lib.finding("raised on aggregates the reference computes", show, tostring(g1)) end
    return
  end
  if g1:nrow() ~= #groups then
    lib.finding(g1:nrow() .. " groups where the reference has " .. #groups, show, lib.frame_text(g1))
  end
  for gi, g in ipairs(groups) do
    for j, name in ipairs(keys) do
      local got = g1:get(name, gi)
      if math.type(got) == "float" and got == 0 then got = 0.0 end
      if not same_value(got, g.key[j]) then
        lib.finding(string.format("group %d: key %s is %s where the reference has %s", gi, name, lib.value_text(got),
          lib.value_text(g.key[j])), show, lib.frame_text(g1))
      end
    end
    for si, s in ipairs(specs) do
      local want = expected[gi][si]
      if s.ref and want ~= "skip" then
        local got = g1:get(s.name, gi)
        if math.type(got) == "float" and got == 0 then got = 0.0 end
        if not same_value(got, want) then
          lib.finding(string.format("group %d: %s is %s where the reference has %s", gi, s.src, lib.value_text(got),
            lib.value_text(want)), show, lib.frame_text(g1))
        end
      end
    end
  end
end
