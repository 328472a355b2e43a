-- expr_fuzz.lua: the libFuzzer driver for expressions (run by lua_fuzz.c as
-- out/expr_fuzz).  Each input is decoded into
--   byte 0        the number of rows (0..24)
--   next bytes    the frame's values: columns i, j (int), f, g (float), b (bool),
--                 s, t (str), d (date), each value one byte choosing from
--                 fuzzlib's hostile values (int64 extremes, ±0, ±Inf, NaN, NA, ...)
--   the rest      an expression tree, one byte a node (see gen below), at
--                 most 7 deep and 60 nodes
-- and checked (a violation is a finding: the host aborts):
--   - no crash, no sanitizer report (ASan, UBSan, LSan), no hang (-timeout);
--   - errors are the API's own messages, not Lua runtime errors from inside
--     the library or an overflowed stack (fuzzlib.bad_error);
--   - the result has the frame's rows; the input frame is unchanged;
--   - 1 and 2 threads give the same frame, bit for bit;
--   - an element-wise expression (no rank) gives, on every one-row slice,
--     that row's value of the whole-frame result;
--   - a bool result filters to exactly its true rows;
--   - where the whole tree is of the documented kind (int and float
--     arithmetic + - * / ^, comparisons of numbers, strings, bools and dates,
--     & | ~ on bools, is_na, fill_na, abs, sqrt, log, exp), the values and
--     the type equal a reference evaluated in Lua from README "Guarantees and
--     definitions" (NA propagates, three-valued & |, int + - * exact or an
--     error on overflow, / and ^ float, x / 0 ±Inf, NaN is NA, numbers compare
--     exactly as Lua does, strings by bytes).
local lib = require "fuzzlib"
local zs = lib.zs
local NA = zs.NA

local COLS = { { "i", "int" }, { "j", "int" }, { "f", "float" }, { "g", "float" }, { "b", "bool" },
  { "s", "str" }, { "t", "str" }, { "d", "date" } }
local MAX_DEPTH, MAX_NODES = 7, 60
local maxint = math.maxinteger

-- ---- the reference -----------------------------------------------------------------
-- A node is {src = Lua source, t = its type or nil (unknown: no reference),
-- ev = function(row) -> kind, value} with kind "v" (value; nil is NA),
-- "err" (the evaluation must raise) or "?" (not modelled).

local function isnum(t) return t == "int" or t == "float" end

-- a number as a float, keeping the sign of -0.0 (-0.0 + 0.0 is +0.0)
local function tof(x) return math.type(x) == "integer" and x + 0.0 or x end

local function int_fits(x) return x >= -maxint and x <= maxint end

-- exact int64 + - * with overflow (math.mininteger is NA, so out of range too)
local function int_op(op, a, b)
  if op == "add" then
    if (b > 0 and a > maxint - b) or (b < 0 and a < -maxint - b) then return "err" end
    return "v", a + b
  elseif op == "sub" then
    if (b < 0 and a > maxint + b) or (b > 0 and a < -maxint + b) then return "err" end
    return "v", a - b
  else
    if a == 0 or b == 0 then return "v", 0 end
    local r = a * b
    if r // b ~= a or r % b ~= 0 or not int_fits(r) or (a == -1 and b == math.mininteger) then return "err" end
    -- wrapped products can still pass the division test: confirm with floats
    if math.abs((a + 0.0) * b - r) > 2.0 ^ 12 * math.abs(r + 0.0) * 2 ^ -52 + 1 then return "err" end
    return "v", r
  end
end

local function fl(x)
  if x ~= x then return nil end -- NaN is NA
  return x
end

local arith = {
  add = function(a, b) return a + b end,
  sub = function(a, b) return a - b end,
  mul = function(a, b) return a * b end,
}

local function binary_ref(op, A, B)
  local ta, tb = A.t, B.t
  local t, f
  if arith[op] and isnum(ta) and isnum(tb) then
    if ta == "int" and tb == "int" then
      t, f = "int", function(a, b) return int_op(op, a, b) end
    else
      t, f = "float", function(a, b) return "v", fl(arith[op](tof(a), tof(b))) end
    end
  elseif op == "div" and isnum(ta) and isnum(tb) then
    t, f = "float", function(a, b) return "v", fl(tof(a) / tof(b)) end
  elseif op == "pow" and isnum(ta) and isnum(tb) then
    t, f = "float", function(a, b) return "v", fl(tof(a) ^ tof(b)) end
  elseif op == "eq" or op == "ne" or op == "lt" or op == "le" or op == "gt" or op == "ge" then
    local comparable = (isnum(ta) and isnum(tb)) or (ta == "str" and tb == "str") or (ta == "date" and tb == "date")
      or (ta == "bool" and tb == "bool" and (op == "eq" or op == "ne"))
    if comparable then
      t = "bool"
      f = function(a, b)
        if op == "eq" then return "v", a == b
        elseif op == "ne" then return "v", a ~= b
        elseif op == "lt" then return "v", a < b
        elseif op == "le" then return "v", a <= b
        elseif op == "gt" then return "v", a > b
        else return "v", a >= b end
      end
    end
  elseif (op == "and" or op == "or") and ta == "bool" and tb == "bool" then
    -- three-valued: false & NA = false, true | NA = true
    return "bool", function(row)
      local ka, a = A.ev(row)
      local kb, b = B.ev(row)
      if ka == "err" or kb == "err" then return "err" end
      if ka == "?" or kb == "?" then return "?" end
      if op == "and" then
        if a == false or b == false then return "v", false end
        if a == nil or b == nil then return "v", nil end
        return "v", true
      else
        if a == true or b == true then return "v", true end
        if a == nil or b == nil then return "v", nil end
        return "v", false
      end
    end
  end
  if not t then
    return nil, function(row)
      local ka = A.ev(row)
      local kb = B.ev(row)
      if ka == "err" or kb == "err" then return "err" end
      return "?"
    end
  end
  return t, function(row)
    local ka, a = A.ev(row)
    local kb, b = B.ev(row)
    if ka == "err" or kb == "err" then return "err" end
    if ka == "?" or kb == "?" then return "?" end
    if a == nil or b == nil then return "v", nil end
    return f(a, b)
  end
end

local function unknown_of(A)
  return function(row)
    if A.ev(row) == "err" then return "err" end
    return "?"
  end
end

-- ---- decoding an expression ------------------------------------------------------

local function values_of(src)
  local ok, v = lib.run("return " .. src)
  assert(ok, v)
  if v == NA then return nil end
  if math.type(v) == "float" and v ~= v then return nil end
  return v
end

-- a literal: its type is the pool's; zs.NA and a NaN (the engine takes a
-- NaN literal for NA: int - lit(0/0) is int) have no type (no reference)
local function literal(r)
  local t = r:pick(lib.types)
  if t == "date" then t = "str" end
  local tok = r:pick(lib.by_type[t])
  local value = values_of(tok)
  if value == nil then t = nil end
  return { src = tok, t = t, lit = true, ev = function() return "v", value end }
end

local function column(r, rows)
  local c = r:pick(COLS)
  local name, t = c[1], c[2]
  return { src = string.format("col(%q)", name), t = t, ev = function(row) return "v", rows[row][name] end }
end

local gen

local BINARY = { "add", "sub", "mul", "div", "mod", "pow", "eq", "ne", "lt", "le", "gt", "ge", "and", "or" }
local SYMBOL = { add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^", ["and"] = "&", ["or"] = "|" }
local UNARY = { "neg", "not", "is_na", "abs", "floor", "ceil", "sqrt", "log", "exp", "round", "year", "month",
  "day", "quarter", "half", "week", "iso_year", "cast", "fill_na", "coalesce", "isin", "rank", "dense_rank" }

local function binary(r, st, depth, rows)
  local op = r:pick(BINARY)
  local A, B = gen(r, st, depth + 1, rows), gen(r, st, depth + 1, rows)
  -- a literal operand goes in as a plain Lua value (lifted by the other
  -- operand's metamethod or by the method) or through lit()
  local mode = r:below(4)
  local a_src, b_src = A.src, B.src
  if A.lit and not (mode == 1 and SYMBOL[op] and not B.lit) then a_src = "lit(" .. a_src .. ")" end
  if B.lit and not (mode >= 2 and a_src ~= A.src or mode >= 2 and not A.lit) then b_src = "lit(" .. b_src .. ")" end
  local src
  if SYMBOL[op] then
    src = "(" .. a_src .. " " .. SYMBOL[op] .. " " .. b_src .. ")"
  else
    if a_src:sub(1, 4) ~= "col(" and a_src:sub(1, 4) ~= "lit(" then a_src = "(" .. a_src .. ")" end
    src = a_src .. ":" .. op .. "(" .. b_src .. ")"
  end
  local t, ev
  if op == "mod" then
    t, ev = nil, function(row)
      if A.ev(row) == "err" or B.ev(row) == "err" then return "err" end
      return "?"
    end
  else
    t, ev = binary_ref(op, A, B)
  end
  return { src = src, t = t, ev = ev, rank = A.rank or B.rank, terr = A.terr or B.terr }
end

local function method_of(A)
  local s = A.src
  if A.lit then return "lit(" .. s .. ")" end
  if s:sub(1, 4) == "col(" or s:sub(1, 4) == "lit(" or s:sub(1, 1) == "(" then return s end
  return "(" .. s .. ")"
end

local function unary(r, st, depth, rows)
  local op = r:pick(UNARY)
  local A = gen(r, st, depth + 1, rows)
  local a = method_of(A)
  local node = { rank = A.rank, terr = A.terr }
  if op == "neg" then
    node.src = "(-" .. a .. ")"
    if A.t == "int" or A.t == "float" then
      node.t = A.t
      node.ev = function(row)
        local k, v = A.ev(row)
        if k ~= "v" then return k end
        if v == nil then return "v", nil end
        return "v", -v
      end
    elseif A.t == "bool" then
      -- README: arithmetic on bool raises (unary minus too, issue 13 item 13),
      -- whatever the rows: a type error (terr) that makes the whole tree raise
      node.terr, node.ev = true, unknown_of(A)
    else
      node.ev = unknown_of(A)
    end
  elseif op == "not" then
    node.src = "(~" .. a .. ")"
    if A.t == "bool" then
      node.t = "bool"
      node.ev = function(row)
        local k, v = A.ev(row)
        if k ~= "v" then return k end
        if v == nil then return "v", nil end
        return "v", not v
      end
    else
      node.ev = unknown_of(A)
    end
  elseif op == "is_na" then
    node.src = a .. ":is_na()"
    node.t = "bool"
    node.ev = function(row)
      local k, v = A.ev(row)
      if k ~= "v" then return k end
      return "v", v == nil
    end
    if not A.t then node.t, node.ev = nil, unknown_of(A) end
  elseif op == "abs" or op == "sqrt" or op == "log" or op == "exp" then
    node.src = a .. ":" .. op .. "()"
    if A.t == "int" and op == "abs" then
      node.t = "int"
      node.ev = function(row)
        local k, v = A.ev(row)
        if k ~= "v" then return k end
        if v == nil then return "v", nil end
        return "v", math.abs(v)
      end
    elseif A.t == "float" or (A.t == "int" and op ~= "abs") then
      node.t = "float"
      local fn = ({ abs = math.abs, sqrt = math.sqrt, log = math.log, exp = math.exp })[op]
      node.ev = function(row)
        local k, v = A.ev(row)
        if k ~= "v" then return k end
        if v == nil then return "v", nil end
        return "v", fl(fn(tof(v)))
      end
    else
      node.ev = unknown_of(A)
    end
  elseif op == "fill_na" then
    local t = A.t or r:pick(lib.types)
    local pool = lib.by_type[t == "date" and "str" or t]
    local tok = r:pick(pool)
    if tok == "zs.NA" then tok = pool[1] end
    node.src = a .. ":fill_na(" .. tok .. ")"
    local _, fillv = lib.run("return " .. tok)
    if math.type(fillv) == "float" and fillv ~= fillv then fillv = nil end
    local ft = math.type(fillv) == "integer" and "int" or math.type(fillv) == "float" and "float"
      or type(fillv) == "string" and "str" or type(fillv) == "boolean" and "bool" or nil
    if A.t and A.t == ft and fillv ~= nil and not (ft == "int" and fillv == math.mininteger) then
      node.t = A.t
      node.ev = function(row)
        local k, v = A.ev(row)
        if k ~= "v" then return k end
        if v == nil then return "v", fillv end
        return "v", v
      end
    else
      node.ev = unknown_of(A)
    end
  elseif op == "coalesce" then
    local B = gen(r, st, depth + 1, rows)
    local b = B.lit and ("lit(" .. B.src .. ")") or B.src
    node.src = a .. ":fill_na(" .. b .. ")"
    node.rank = node.rank or B.rank
    node.terr = node.terr or B.terr
    if A.t and A.t == B.t then
      node.t = A.t
      node.ev = function(row)
        local k, v = A.ev(row)
        local kb, w = B.ev(row)
        if k == "err" or kb == "err" then return "err" end
        if k ~= "v" or kb ~= "v" then return "?" end
        if v == nil then return "v", w end
        return "v", v
      end
    else
      node.ev = function(row)
        if A.ev(row) == "err" or B.ev(row) == "err" then return "err" end
        return "?"
      end
    end
  elseif op == "round" then
    local d = r:pick({ "", "0", "1", "2", "-1", "-2", "-18", "-19", "15", "17", "300", "309", "-309", "400",
      "math.maxinteger", "-math.maxinteger", "2.0", "0.5" })
    node.src = a .. ":round(" .. d .. ")"
    node.ev = unknown_of(A)
  elseif op == "cast" then
    node.src = a .. ":cast(" .. string.format("%q", r:pick(lib.types)) .. ")"
    node.ev = unknown_of(A)
  elseif op == "isin" then
    local n = r:below(5)
    local values = {}
    for k = 1, n do
      local t = r:pick(lib.types)
      values[k] = r:pick(lib.by_type[t == "date" and "str" or t])
    end
    node.src = a .. ":isin({" .. table.concat(values, ", ") .. "})"
    node.ev = unknown_of(A)
  elseif op == "rank" or op == "dense_rank" then
    local opts = {}
    if r:below(2) == 1 then opts[#opts + 1] = "desc = true" end
    local by = r:below(4)
    if by == 1 then opts[#opts + 1] = 'by = "s"' elseif by == 2 then opts[#opts + 1] = 'by = {"b", "d"}' end
    node.src = a .. ":" .. op .. "({" .. table.concat(opts, ", ") .. "})"
    node.ev = unknown_of(A)
    node.rank = true
  else -- floor ceil year month day quarter half week iso_year
    node.src = a .. ":" .. op .. "()"
    node.ev = unknown_of(A)
  end
  return node
end

function gen(r, st, depth, rows)
  st.nodes = st.nodes + 1
  local b = r:byte()
  if depth >= MAX_DEPTH or st.nodes >= MAX_NODES or r:left() <= 0 then
    if b % 2 == 0 then return column(r, rows) end
    return literal(r)
  end
  local kind = b % 8
  if kind <= 1 then return column(r, rows)
  elseif kind == 2 then return literal(r)
  elseif kind <= 5 then return binary(r, st, depth, rows)
  else return unary(r, st, depth, rows) end
end

-- ---- one input ------------------------------------------------------------------

-- float results compare by value (-0.0 equals 0.0), everything else exactly
local function same_value(x, y)
  if x == NA then x = nil end
  if y == NA then y = nil end
  if x == nil or y == nil then return x == y end
  if math.type(x) ~= math.type(y) then return false end
  return x == y
end

return function(data)
  local r = lib.reader(data)
  local nrow = r:byte() % 25
  -- the frame: read the tokens once, for the source and for the reference
  local rows, parts, order = {}, {}, {}
  for i = 1, nrow do rows[i] = {} end
  for _, c in ipairs(COLS) do
    local name, t = c[1], c[2]
    local toks = {}
    for i = 1, nrow do
      local tok = r:pick(lib.by_type[t])
      toks[i] = tok
      rows[i][name] = values_of(tok)
    end
    parts[#parts + 1] = string.format("%s = zs.column({%s}, %q)", name, table.concat(toks, ", "), t)
    order[#order + 1] = string.format("%q", name)
  end
  local frame_src = string.format("zs.frame({%s}, {%s})", table.concat(parts, ", "), table.concat(order, ", "))
  local e = gen(r, { nodes = 0 }, 0, rows)
  local expr_src = e.lit and ("lit(" .. e.src .. ")") or e.src
  local case = "local f = " .. frame_src .. "\nlocal e = " .. expr_src
  if rawget(_G, "FUZZ_VERBOSE") then io.stderr:write(case, "\n") end
  local ok, f, ex = lib.run(case .. "\nreturn f, e")
  if not ok then
    local bad = lib.bad_error(f)
    if bad then lib.finding("building the case: " .. bad, case, tostring(f)) end
    return
  end
  if type(f) ~= "userdata" and type(f) ~= "table" then lib.finding("zs.frame returned " .. type(f), case) end
  local before = lib.frame_text(f)

  local tok, text = pcall(tostring, ex)
  if not tok or type(text) ~= "string" then lib.finding("tostring(e) failed", case .. "\nprint(tostring(e))", tostring(text)) end

  zs.set_threads(1)
  local ok1, g1 = pcall(f.mutate, f, "out", ex)
  zs.set_threads(2)
  local ok2, g2 = pcall(f.mutate, f, "out", ex)
  zs.set_threads(1)
  local show = case .. "\nprint(f:mutate(\"out\", e))"
  if ok1 ~= ok2 then
    lib.finding("1 and 2 threads differ: " .. (ok1 and "only 2 threads raised" or "only 1 thread raised"), show,
      tostring(ok1 and g2 or g1))
  end
  if not ok1 then
    local bad = lib.bad_error(g1)
    if bad then lib.finding("mutate: " .. bad, show, tostring(g1)) end
    if g1 ~= g2 then lib.finding("1 and 2 threads raise different messages", show, tostring(g1) .. "\n" .. tostring(g2)) end
  end

  -- the reference: does some row raise, and what are the values
  local expect_err, known = e.terr or false, e.t ~= nil and not e.terr
  local ref = {}
  for i = 1, nrow do
    local k, v = e.ev(i)
    if k == "err" then expect_err = true elseif k == "?" then known = false else ref[i] = v end
  end
  if e.t == nil then known = false end

  if not ok1 then
    if known and not expect_err then
      lib.finding("raised on an expression of documented kinds (reference: " .. e.t .. " values)", show, tostring(g1))
    end
    if lib.frame_text(f) ~= before then lib.finding("a failed mutate changed its input frame", show) end
    return
  end
  if expect_err then lib.finding("no error where the reference raises (int overflow, or - on bool)", show) end

  local t1, t2 = lib.frame_text(g1), lib.frame_text(g2)
  if t1 ~= t2 then lib.finding("1 and 2 threads give different frames", show, t1 .. "\n--\n" .. t2) end
  if g1:nrow() ~= nrow then lib.finding("the result has " .. g1:nrow() .. " rows for " .. nrow, show) end
  if lib.frame_text(f) ~= before then lib.finding("mutate changed its input frame", show) end
  local out_type = g1:types()[#g1:types()]

  if known then
    if out_type ~= e.t then
      lib.finding("type " .. out_type .. " where the reference gives " .. e.t, show)
    end
    for i = 1, nrow do
      local got = g1:get("out", i)
      if not same_value(got, ref[i]) then
        lib.finding(string.format("row %d: %s where the reference gives %s", i, lib.value_text(got),
          lib.value_text(ref[i])), show)
      end
    end
  end

  -- one-row slices give the same values (element-wise expressions)
  if not e.rank then
    for i = 1, nrow do
      local s = f:slice(i, i)
      local oks, gs = pcall(s.mutate, s, "out", ex)
      local sshow = case .. "\nprint(f:slice(" .. i .. ", " .. i .. "):mutate(\"out\", e))\nprint(f:mutate(\"out\", e))"
      if not oks then
        local bad = lib.bad_error(gs)
        if bad then lib.finding("mutate on a slice: " .. bad, sshow, tostring(gs)) end
        lib.finding("row " .. i .. " alone raises but the whole frame does not", sshow, tostring(gs))
      end
      local got, want = gs:get("out", 1), g1:get("out", i)
      if lib.value_text(got) ~= lib.value_text(want) or gs:types()[#gs:types()] ~= out_type then
        lib.finding(string.format("row %d alone gives %s (%s), in the whole frame %s (%s)", i, lib.value_text(got),
          gs:types()[#gs:types()], lib.value_text(want), out_type), sshow)
      end
    end
  end

  -- a bool result filters to its true rows
  if out_type == "bool" then
    local okf, h = pcall(f.filter, f, ex)
    local fshow = case .. "\nprint(f:filter(e))\nprint(f:mutate(\"out\", e))"
    if not okf then lib.finding("filter raised where mutate gave a bool column", fshow, tostring(h)) end
    local k = 0
    for i = 1, nrow do
      if g1:get("out", i) == true then
        k = k + 1
        if k > h:nrow() then break end
        for _, c in ipairs(COLS) do
          if lib.value_text(h:get(c[1], k)) ~= lib.value_text(f:get(c[1], i)) then
            lib.finding("filter: row " .. k .. " is not row " .. i .. " of the input", fshow)
          end
        end
      end
    end
    if k ~= h:nrow() then lib.finding("filter kept " .. h:nrow() .. " rows, the condition is true on " .. k, fshow) end
  end
  if lib.frame_text(f) ~= before then lib.finding("filter or slice changed the input frame", show) end
end
